import Foundation
import SpectrumMetrics

/// The version written into run files and printed by `--version`.
public enum ToolInfo {
    /// Semantic version of the toolkit.
    public static let version = "0.1.0"
}

/// A deterministic subset of windows: those with `window mod count == index`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based shard number.
    public let index: Int
    /// Number of shards.
    public let count: Int

    /// A shard; throws unless `0 ≤ index < count`.
    public init(index: Int, count: Int) throws(AnalysisError) {
        guard count >= 1, index >= 0, index < count else {
            throw .invalidOption("shard \(index)/\(count) is not valid: need 0 ≤ i < N")
        }
        self.init(checked: index, count: count)
    }

    private init(checked index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The whole run in one process.
    public static let single = Shard(checked: 0, count: 1)

    /// Parses `i/N`.
    public init(parsing text: String) throws(AnalysisError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw .invalidOption("a shard is written i/N (e.g. 0/4), got '\(text)'")
        }
        try self.init(index: index, count: count)
    }

    /// Whether window `w` belongs to this shard.
    public func contains(window: Int) -> Bool { window % count == index }

    public var description: String { "\(index)/\(count)" }
}

/// Storage type of dumped attention tensors.
public enum AttentionStorage: String, Sendable, CaseIterable {
    /// IEEE single precision.
    case float32
    /// IEEE half precision (halves the file size; P loses ~3 decimal digits).
    case float16
}
