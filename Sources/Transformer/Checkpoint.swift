import Foundation

/// The safetensors files of a Hugging Face model folder, memory-mapped: either one
/// `model.safetensors`, or the shards that `model.safetensors.index.json` lists.
///
/// The index is `{"metadata": {...}, "weight_map": {tensor: shard file}}`. Opening checks that the
/// index is well-formed, that every shard it names is a plain file name present in the folder
/// (``TransformerError/missingShard(index:shard:)``) and that every tensor it maps is in that
/// shard's header (``TransformerError/invalidShardIndex(file:detail:)``). Tensors are looked up
/// through the index; nothing is read until asked for.
public final class Checkpoint: Sendable {
    /// The model folder.
    public let directory: URL
    /// `model.safetensors`, or the index followed by its shards in name order.
    public let files: [URL]
    private let shards: [SafeTensors]
    private let location: [String: Int]

    /// The index file name.
    public static let indexName = "model.safetensors.index.json"

    /// Opens `model.safetensors` if present, else the sharded checkpoint of `directory`.
    public init(directory: URL) throws(TransformerError) {
        self.directory = directory
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent(Self.indexName)
        let manager = FileManager.default
        if manager.fileExists(atPath: single.path) || !manager.fileExists(atPath: index.path) {
            let file = try SafeTensors(contentsOf: single)
            shards = [file]
            files = [single]
            location = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, 0) })
            return
        }
        let weightMap = try Self.readIndex(index)
        let shardNames = Array(Set(weightMap.values)).sorted()
        var opened: [SafeTensors] = []
        for name in shardNames {
            guard !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                throw .invalidShardIndex(file: index.path, detail: "shard name '\(name)' is not a plain file name")
            }
            let url = directory.appendingPathComponent(name)
            guard manager.fileExists(atPath: url.path) else { throw .missingShard(index: index.path, shard: name) }
            opened.append(try SafeTensors(contentsOf: url))
        }
        let position = Dictionary(uniqueKeysWithValues: shardNames.enumerated().map { ($1, $0) })
        var location: [String: Int] = [:]
        for (tensor, shard) in weightMap {
            guard let slot = position[shard] else { continue }
            guard opened[slot].entry(tensor) != nil else {
                throw .invalidShardIndex(file: index.path, detail: "tensor '\(tensor)' is mapped to \(shard), which does not hold it")
            }
            location[tensor] = slot
        }
        shards = opened
        files = [index] + shardNames.map { directory.appendingPathComponent($0) }
        self.location = location
    }

    /// The files ``init(directory:)`` would open, in ``files`` order, without mapping or checking
    /// them (so a checksum can start before the model loads): `model.safetensors`, else the index
    /// and the shards it names; only the index when it cannot be read (loading will say why).
    public static func weightFiles(in directory: URL) -> [URL] {
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent(indexName)
        let manager = FileManager.default
        guard !manager.fileExists(atPath: single.path), manager.fileExists(atPath: index.path) else { return [single] }
        guard let map = try? readIndex(index) else { return [index] }
        return [index] + Array(Set(map.values)).sorted().map { directory.appendingPathComponent($0) }
    }

    /// Every tensor name, sorted.
    public var tensorNames: [String] { location.keys.sorted() }

    /// The file holding `name`, or `nil`.
    public func file(holding name: String) -> SafeTensors? { location[name].map { shards[$0] } }

    /// `weight_map` of an index file.
    private static func readIndex(_ url: URL) throws(TransformerError) -> [String: String] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .cannotRead(file: url.path, reason: error.localizedDescription)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalidShardIndex(file: url.path, detail: "not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any], let map = root["weight_map"] as? [String: Any] else {
            throw .invalidShardIndex(file: url.path, detail: "no 'weight_map' object")
        }
        var result: [String: String] = [:]
        for (tensor, value) in map {
            guard let shard = value as? String else {
                throw .invalidShardIndex(file: url.path, detail: "weight_map entry '\(tensor)' is not a file name")
            }
            result[tensor] = shard
        }
        guard !result.isEmpty else { throw .invalidShardIndex(file: url.path, detail: "'weight_map' is empty") }
        return result
    }
}
