/// `RobertaProcessing`: `<s> ids </s>`, with `cls` and `sep` given as `["token", id]`.
/// `trim_offsets` and `add_prefix_space` only affect offsets, which are not produced here.
public struct RobertaProcessing: PostProcessor {
    public let prefix: [Int32]
    public let suffix: [Int32]

    public init(config: ComponentConfig) throws {
        prefix = [try readTokenIdPair(config, "cls").id]
        suffix = [try readTokenIdPair(config, "sep").id]
    }
}
