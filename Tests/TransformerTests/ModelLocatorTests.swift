import Foundation
import XCTest
@testable import Transformer

/// A Hugging Face hub cache laid out on disk the way `huggingface_hub` writes it: file contents in
/// `blobs/`, each snapshot's files as relative symlinks `../../blobs/<hash>`, branch and tag names
/// in `refs/` holding a commit (no trailing newline).
struct HubCacheLayout {
    let root: URL

    /// `models--ORG--NAME`.
    func repository(_ id: String) -> URL { root.appendingPathComponent("models--" + id.replacingOccurrences(of: "/", with: "--")) }

    /// Adds a snapshot `commit` of `id` holding `files` (name → contents); equal contents share a blob.
    @discardableResult
    func addSnapshot(_ id: String, commit: String, files: [String: Data]) throws -> URL {
        let fm = FileManager.default
        let repository = repository(id)
        let blobs = repository.appendingPathComponent("blobs"), snapshot = repository.appendingPathComponent("snapshots/\(commit)")
        try fm.createDirectory(at: blobs, withIntermediateDirectories: true)
        try fm.createDirectory(at: snapshot, withIntermediateDirectories: true)
        for (name, contents) in files {
            let blob = Self.blobName(contents)
            let blobURL = blobs.appendingPathComponent(blob)
            if !fm.fileExists(atPath: blobURL.path) { try contents.write(to: blobURL) }
            try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path, withDestinationPath: "../../blobs/\(blob)")
        }
        return snapshot
    }

    /// Writes `refs/<name>` = `commit`, as the hub library does (no newline).
    func setRef(_ id: String, _ name: String, to commit: String) throws {
        let ref = repository(id).appendingPathComponent("refs/\(name)")
        try FileManager.default.createDirectory(at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: ref)
    }

    /// A 64-hex-digit content name (FNV-1a twice; only uniqueness matters here, the resolver never
    /// reads blob names).
    static func blobName(_ data: Data) -> String {
        var (a, b): (UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4)
        for byte in data { a = (a ^ UInt64(byte)) &* 0x100_0000_01b3; b = (b ^ UInt64(byte)) &* 0x100_0000_01b3 ^ a }
        return String(format: "%016llx%016llx%016llx%016llx", a, b, a ^ b, UInt64(data.count))
    }
}

/// ``ModelLocator``: hub ids resolved through a real cache layout (symlinks into blobs, refs),
/// revisions, sharded checkpoints, cache-folder precedence and every refusal.
final class ModelLocatorTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var cache: HubCacheLayout!
    private var locator: ModelLocator!

    private let mainCommit = "0123456789abcdef0123456789abcdef01234567"
    private let otherCommit = "89abcdef0123456789abcdef0123456789abcdef"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        cache = HubCacheLayout(root: directory.url.appendingPathComponent("hub"))
        locator = ModelLocator(environment: ["HF_HUB_CACHE": cache.root.path], home: directory.url)
    }

    override func tearDown() { directory = nil }

    /// config.json, model.safetensors and tokenizer.json of the tiny RoBERTa fixture.
    private func tinyFiles() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["config.json", "model.safetensors", "tokenizer.json"] {
            files[name] = try Data(contentsOf: TestPaths.tinyRoberta.appendingPathComponent(name))
        }
        return files
    }

    func testMainResolvesToTheSnapshotAndTheEncoderLoadsThroughTheBlobLinks() throws {
        let snapshot = try cache.addSnapshot("acme/tiny-roberta", commit: mainCommit, files: tinyFiles())
        try cache.setRef("acme/tiny-roberta", "main", to: mainCommit)
        let location = try locator.locate("acme/tiny-roberta")
        XCTAssertEqual(location.directory.path, snapshot.path)
        XCTAssertEqual(location.hubID, "acme/tiny-roberta")
        XCTAssertEqual(location.commit, mainCommit)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: location.directory.appendingPathComponent("model.safetensors").path)
        XCTAssertTrue(link.hasPrefix("../../blobs/"), link)

        // The same weights as the plain folder, bit for bit.
        let ids: [Int32] = [0, 31, 47, 52, 2]
        let cached = try Encoder(directory: location.directory).forward(inputIds: ids)
        let plain = try Encoder(directory: TestPaths.tinyRoberta).forward(inputIds: ids)
        XCTAssertEqual(cached.storage, plain.storage)
    }

    func testRevisionPicksABranchTagOrCommitAndAnUncachedOneIsRefused() throws {
        var changed = try tinyFiles()
        changed["config.json"] = Data((String(decoding: changed["config.json"] ?? Data(), as: UTF8.self) + "\n").utf8)
        try cache.addSnapshot("acme/tiny-roberta", commit: mainCommit, files: tinyFiles())
        try cache.addSnapshot("acme/tiny-roberta", commit: otherCommit, files: changed)
        try cache.setRef("acme/tiny-roberta", "main", to: mainCommit + "\n")   // a hand-written ref with a newline
        try cache.setRef("acme/tiny-roberta", "v2", to: otherCommit)
        try cache.setRef("acme/tiny-roberta", "refs/pr/1", to: otherCommit)
        XCTAssertEqual(try locator.locate("acme/tiny-roberta").commit, mainCommit)
        XCTAssertEqual(try locator.locate("acme/tiny-roberta", revision: "v2").commit, otherCommit)
        XCTAssertEqual(try locator.locate("acme/tiny-roberta", revision: "refs/pr/1").commit, otherCommit)
        XCTAssertEqual(try locator.locate("acme/tiny-roberta", revision: mainCommit).directory.lastPathComponent, mainCommit)
        // Snapshots share the blobs of equal files.
        let blobs = try FileManager.default.contentsOfDirectory(atPath: cache.repository("acme/tiny-roberta").appendingPathComponent("blobs").path)
        XCTAssertEqual(blobs.count, 4)

        assertLocatorError(try locator.locate("acme/tiny-roberta", revision: "v3"),
                           mentions: ["'v3' is not cached", "main", "v2", "refs/pr/1", mainCommit, otherCommit, "--revision"]) {
            if case .revisionNotCached = $0 { return true } else { return false }
        }
        for bad in ["../../etc", "a//b", "x y", ""] {
            assertLocatorError(try locator.locate("acme/tiny-roberta", revision: bad), mentions: ["not a branch, tag or commit"]) {
                $0 == .invalidRevision(bad)
            }
        }
    }

    func testShardedCheckpointResolvesWhenEveryShardIsCachedAndNamesTheMissingOnes() throws {
        // Split the tiny model's tensors over two real safetensors shards with an index, as
        // `save_pretrained(max_shard_size=…)` does.
        let source = try SafeTensors(contentsOf: TestPaths.tinyRoberta.appendingPathComponent("model.safetensors"))
        let names = source.tensorNames
        let halves = [Array(names.prefix(names.count / 2)), Array(names.dropFirst(names.count / 2))]
        var files = try tinyFiles()
        files["model.safetensors"] = nil
        var weightMap: [String: String] = [:]
        for (i, half) in halves.enumerated() {
            let shard = "model-0000\(i + 1)-of-00002.safetensors"
            let tensors = try half.map { SafeTensorsWriter.Tensor($0, shape: source.shape(of: $0) ?? [], floats: try source.floats($0)) }
            files[shard] = SafeTensorsWriter.file(tensors)
            for name in half { weightMap[name] = shard }
        }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap], options: [.sortedKeys])
        files["model.safetensors.index.json"] = index
        try cache.addSnapshot("acme/sharded", commit: mainCommit, files: files)
        try cache.setRef("acme/sharded", "main", to: mainCommit)

        let location = try locator.locate("acme/sharded")
        let shards = try ModelLocator.shards(ofIndex: location.directory.appendingPathComponent("model.safetensors.index.json"))
        XCTAssertEqual(shards.sorted(), ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        var union: [String] = []
        for shard in shards { union += try SafeTensors(contentsOf: location.directory.appendingPathComponent(shard)).tensorNames }
        XCTAssertEqual(union.sorted(), names)

        // A shard whose blob is gone (an interrupted download) and a shard never downloaded.
        let secondLink = location.directory.appendingPathComponent("model-00002-of-00002.safetensors")
        let blob = location.directory.appendingPathComponent(try FileManager.default.destinationOfSymbolicLink(atPath: secondLink.path))
        try FileManager.default.removeItem(at: blob)
        assertLocatorError(try locator.locate("acme/sharded"), mentions: [location.directory.path, "missing blobs", "model-00002-of-00002.safetensors"]) {
            if case .incompleteSnapshot = $0 { return true } else { return false }
        }
        try FileManager.default.removeItem(at: secondLink)
        assertLocatorError(try locator.locate("acme/sharded"), mentions: ["lacks checkpoint shards", "model-00002-of-00002.safetensors"]) {
            if case .incompleteSnapshot = $0 { return true } else { return false }
        }
    }

    func testMalformedIndexesAreRefusedNamingTheFile() throws {
        let cases: [(String, String)] = [
            ("not json", "not a JSON object"),
            (#"{"metadata": {}}"#, "no weight_map"),
            (#"{"weight_map": {"a": "../../blobs/x"}}"#, "not a file name inside the snapshot"),
            (#"{"weight_map": {"a": 3}}"#, "not a file name"),
        ]
        for (i, (json, message)) in cases.enumerated() {
            let commit = String(repeating: String(i), count: 40)
            var files = try tinyFiles()
            files["model.safetensors"] = nil
            files["model.safetensors.index.json"] = Data(json.utf8)
            let snapshot = try cache.addSnapshot("acme/bad-index", commit: commit, files: files)
            assertLocatorError(try locator.locate("acme/bad-index", revision: commit),
                               mentions: [snapshot.appendingPathComponent("model.safetensors.index.json").path, message]) {
                if case .invalidIndex = $0 { return true } else { return false }
            }
        }
    }

    func testBrokenSnapshotsAndRefsAreRefused() throws {
        // No safetensors at all, only PyTorch weights.
        let bin = try cache.addSnapshot("acme/torch-only", commit: mainCommit,
                                        files: ["config.json": Data("{}".utf8), "pytorch_model.bin": Data([1, 2, 3])])
        try cache.setRef("acme/torch-only", "main", to: mainCommit)
        assertLocatorError(try locator.locate("acme/torch-only"), mentions: [bin.path, "pytorch_model.bin", "safetensors"]) {
            if case .incompleteSnapshot = $0 { return true } else { return false }
        }
        // No config.json.
        var files = try tinyFiles()
        files["config.json"] = nil
        let noConfig = try cache.addSnapshot("acme/no-config", commit: mainCommit, files: files)
        try cache.setRef("acme/no-config", "main", to: mainCommit)
        assertLocatorError(try locator.locate("acme/no-config"), mentions: [noConfig.path, "config.json"]) {
            if case .incompleteSnapshot = $0 { return true } else { return false }
        }
        // refs/main names a commit whose snapshot is absent; a ref that does not hold a commit name.
        try cache.addSnapshot("acme/dangling-ref", commit: mainCommit, files: tinyFiles())
        try cache.setRef("acme/dangling-ref", "main", to: otherCommit)
        assertLocatorError(try locator.locate("acme/dangling-ref"), mentions: [otherCommit, "refs/main"]) {
            if case .incompleteSnapshot = $0 { return true } else { return false }
        }
        try cache.setRef("acme/dangling-ref", "main", to: "../../../etc")
        assertLocatorError(try locator.locate("acme/dangling-ref"), mentions: ["refs/main", "does not hold a commit name"]) {
            if case .incompleteSnapshot = $0 { return true } else { return false }
        }
        // Cached, but with no refs/main: the snapshots are listed so the user can pick one.
        try cache.addSnapshot("acme/no-ref", commit: mainCommit, files: tinyFiles())
        assertLocatorError(try locator.locate("acme/no-ref"), mentions: ["'main' is not cached", mainCommit]) {
            if case .revisionNotCached = $0 { return true } else { return false }
        }
    }

    func testAnUncachedIdNamesEveryPlaceSearched() throws {
        let cwd = FileManager.default.currentDirectoryPath
        assertLocatorError(try locator.locate("acme/absent"),
                           mentions: ["acme/absent", cwd + "/acme/absent", cache.root.path + "/models--acme--absent/refs/main", "HF_HUB_CACHE"]) {
            if case .notFound = $0 { return true } else { return false }
        }
        // Not an id and not a folder: the old folder message.
        assertLocatorError(try locator.locate("/no/such/model"), mentions: ["model folder /no/such/model does not exist"]) {
            $0 == .notFound(reference: "/no/such/model", searched: ["/no/such/model"])
        }
    }

    func testAnExistingFolderIsUsedAsItIsAndTakesNoRevision() throws {
        let location = try locator.locate(TestPaths.tinyRoberta.path)
        XCTAssertEqual(location, ModelLocation(directory: TestPaths.tinyRoberta, hubID: nil, commit: nil))
        assertLocatorError(try locator.locate(TestPaths.tinyRoberta.path, revision: "main"), mentions: ["--revision", TestPaths.tinyRoberta.path]) {
            $0 == .revisionForFolder(TestPaths.tinyRoberta.path)
        }
    }

    func testCacheFolderFollowsTheHubLibrarysPrecedence() {
        let home = URL(fileURLWithPath: "/home/u")
        func cachePath(_ environment: [String: String]) -> (String, String) {
            let locator = ModelLocator(environment: environment, home: home)
            return (locator.cache.path, locator.cacheOrigin)
        }
        let all = ["HF_HUB_CACHE": "/a", "HUGGINGFACE_HUB_CACHE": "/b", "HF_HOME": "/c", "XDG_CACHE_HOME": "/d"]
        XCTAssertTrue(cachePath(all) == ("/a", "HF_HUB_CACHE"))
        XCTAssertTrue(cachePath(all.filter { $0.key != "HF_HUB_CACHE" }) == ("/b", "HUGGINGFACE_HUB_CACHE"))
        XCTAssertTrue(cachePath(["HF_HOME": "/c", "XDG_CACHE_HOME": "/d"]) == ("/c/hub", "HF_HOME/hub"))
        XCTAssertTrue(cachePath(["XDG_CACHE_HOME": "/d"]) == ("/d/huggingface/hub", "XDG_CACHE_HOME/huggingface/hub"))
        XCTAssertTrue(cachePath([:]) == ("/home/u/.cache/huggingface/hub", "~/.cache/huggingface/hub"))
        XCTAssertTrue(cachePath(["HF_HUB_CACHE": "", "HF_HOME": "~/hf"]) == ("/home/u/hf/hub", "HF_HOME/hub"))
    }

    func testHubIdShapes() {
        for id in ["sentence-transformers/all-MiniLM-L6-v2", "bert-base-uncased", "Qwen/Qwen2.5-0.5B", "a/b_c.d"] {
            XCTAssertTrue(ModelLocator.isHubID(id), id)
        }
        for text in ["", "/abs/path", "./rel", "a/b/c", "a--b/c", "a/../b", "a/.hidden", "-a/b", "a/b-", "a b/c", "a/", String(repeating: "x", count: 97)] {
            XCTAssertFalse(ModelLocator.isHubID(text), text)
        }
    }

    private func assertLocatorError(_ body: @autoclosure () throws -> ModelLocation, mentions: [String],
                                    file: StaticString = #filePath, line: UInt = #line, _ predicate: (ModelLocatorError) -> Bool) {
        do {
            let location = try body()
            XCTFail("expected a ModelLocatorError, got \(location.directory.path)", file: file, line: line)
        } catch let error as ModelLocatorError {
            XCTAssertTrue(predicate(error), "unexpected error case: \(error)", file: file, line: line)
            for fragment in mentions {
                XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
            }
        } catch {
            XCTFail("unexpected error type: \(error)", file: file, line: line)
        }
    }
}
