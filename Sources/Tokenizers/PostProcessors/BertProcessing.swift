/// `BertProcessing`: `[CLS] ids [SEP]`, with `cls` and `sep` given as `["token", id]`.
public struct BertProcessing: PostProcessor {
    public let prefix: [Int32]
    public let suffix: [Int32]

    public init(config: ComponentConfig) throws {
        prefix = [try readTokenIdPair(config, "cls").id]
        suffix = [try readTokenIdPair(config, "sep").id]
    }
}
