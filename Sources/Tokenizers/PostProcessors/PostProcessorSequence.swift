/// Applies the processors of `processors` in order (`Sequence` post-processor): the last one
/// wraps outermost.
public struct PostProcessorSequence: PostProcessor {
    public let prefix: [Int32]
    public let suffix: [Int32]

    public init(config: ComponentConfig) throws {
        var prefix: [Int32] = []
        var suffix: [Int32] = []
        for (index, value) in try config.array("processors").enumerated() {
            let processor = try makePostProcessor(config.child(value, path: "processors[\(index)]"))
            prefix = processor.prefix + prefix
            suffix += processor.suffix
        }
        self.prefix = prefix
        self.suffix = suffix
    }
}
