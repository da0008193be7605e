/// The `ByteLevel` post-processor only trims offsets; ids are unchanged.
public struct ByteLevelPostProcessor: PostProcessor {
    public var prefix: [Int32] { [] }
    public var suffix: [Int32] { [] }

    public init(config: ComponentConfig) throws {}
}
