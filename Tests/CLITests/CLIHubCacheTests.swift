import Foundation
import XCTest
import SpectrumAnalysis

/// `--model ORG/NAME` end to end: the real all-MiniLM-L6-v2 placed into a temporary Hugging Face
/// hub cache (blobs named by their SHA-256, snapshot files as relative links into them, refs/main),
/// run through the built tool and compared with the run of the plain folder.
final class CLIHubCacheTests: CLITestCase {
    static let id = "sentence-transformers/all-MiniLM-L6-v2"
    static let commit = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c"

    /// Builds `<root>/models--ORG--NAME` for `id` from the model folder `source` (the real MiniLM by
    /// default) and returns the snapshot folder.
    private func makeCache(at root: URL, id: String = CLIHubCacheTests.id, source: URL = CLI.realModel) throws -> URL {
        let fm = FileManager.default
        let repository = root.appendingPathComponent("models--" + id.replacingOccurrences(of: "/", with: "--"))
        let blobs = repository.appendingPathComponent("blobs"), snapshot = repository.appendingPathComponent("snapshots/\(Self.commit)")
        try fm.createDirectory(at: blobs, withIntermediateDirectories: true)
        let files = try XCTUnwrap(fm.subpathsOfDirectory(atPath: source.path)).filter { name in
            var isFolder: ObjCBool = false
            return fm.fileExists(atPath: source.appendingPathComponent(name).path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        XCTAssertTrue(files.contains("model.safetensors") || files.contains("model.safetensors.index.json"), "\(files)")
        for name in files {
            let file = source.appendingPathComponent(name)
            let blob = try sha256(of: file)
            let blobURL = blobs.appendingPathComponent(blob)
            if !fm.fileExists(atPath: blobURL.path) { try fm.copyItem(at: file, to: blobURL) }
            let link = snapshot.appendingPathComponent(name)
            try fm.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            let depth = name.split(separator: "/").count + 1   // up from the link's folder to the repository
            try fm.createSymbolicLink(atPath: link.path, withDestinationPath: String(repeating: "../", count: depth) + "blobs/\(blob)")
        }
        let refs = repository.appendingPathComponent("refs")
        try fm.createDirectory(at: refs, withIntermediateDirectories: true)
        try Data(Self.commit.utf8).write(to: refs.appendingPathComponent("main"))
        try Data(Self.commit.utf8).write(to: refs.appendingPathComponent("v1.0"))
        return snapshot
    }

    private func sha256(of file: URL) throws -> String {
        let result = try CLI.start(URL(fileURLWithPath: "/usr/bin/sha256sum"), [file.path], in: directory).wait(timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        return String(result.stdout.prefix(64))
    }

    /// Runs `body` with the hub-cache variables set to `values` (nil: unset), restoring them after.
    private func withEnvironment<T>(_ values: [String: String?], _ body: () throws -> T) rethrows -> T {
        let names = ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"]
        let saved = names.map { ($0, ProcessInfo.processInfo.environment[$0]) }
        defer { for (name, value) in saved { if let value { setenv(name, value, 1) } else { unsetenv(name) } } }
        for name in names {
            if let value = values[name] ?? nil { setenv(name, value, 1) } else { unsetenv(name) }
        }
        return try body()
    }

    private func miniRun(_ model: String, _ output: String, _ extra: [String] = []) -> [String] {
        ["run", "--model", model, "--corpus", CLI.corpus.path, "--seq-len", "64", "--sequences", "2",
         "--projection-dims", "16", "--seed", "5", "-o", output] + extra
    }

    func testHubIdRunsTheCachedSnapshotExactlyLikeTheModelFolder() throws {
        try CLI.requireRealData()
        let hub = directory.appendingPathComponent("hub")
        let snapshot = try makeCache(at: hub)
        try succeed(miniRun(CLI.realModel.path, path("folder.h5"), ["--quiet"]))
        let viaCache = try withEnvironment(["HF_HUB_CACHE": hub.path]) { try succeed(miniRun(Self.id, path("hub.h5"))) }
        XCTAssertTrue(viaCache.stderr.contains("\(Self.id): snapshot \(snapshot.path)"), viaCache.stderr)
        // HF_HOME/hub is the next place, and --revision takes a tag.
        let home = directory.appendingPathComponent("hf-home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: hub, to: home.appendingPathComponent("hub"))
        try withEnvironment(["HF_HOME": home.path]) {
            try succeed(miniRun(Self.id, path("home.h5"), ["--revision", "v1.0", "--quiet"]))
        }

        let folder = try RunFile(contentsOf: URL(fileURLWithPath: path("folder.h5")))
        XCTAssertTrue(try RunContents(URL(fileURLWithPath: path("hub.h5"))) == RunContents(folder.url), "cached model gave other results")
        XCTAssertTrue(try RunContents(URL(fileURLWithPath: path("home.h5"))) == RunContents(folder.url), "HF_HOME model gave other results")
        let cached = try RunFile(contentsOf: URL(fileURLWithPath: path("hub.h5")))
        XCTAssertEqual(cached.metadata.modelPath, snapshot.path)
        XCTAssertEqual(cached.metadata.modelSHA256, folder.metadata.modelSHA256)
        XCTAssertEqual(cached.metadata.modelName, Self.id)
        var plainFolder = RunMetadata()
        for (path, name) in [("/c/hub/models--org--name/snapshots/abc", "org/name"),
                             ("/c/hub/models--bert-base-uncased/snapshots/abc/", "bert-base-uncased"),
                             ("/models/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"),
                             ("/c/hub/datasets--org--name/snapshots/abc", "abc")] {
            plainFolder.modelPath = path
            XCTAssertEqual(plainFolder.modelName, name, path)
        }
    }

    /// A sharded checkpoint (the tiny Mistral fixture: four shards and model.safetensors.index.json,
    /// each a link into blobs/) runs from the cache exactly like its folder.
    func testShardedCheckpointRunsFromTheCacheLikeItsFolder() throws {
        try CLI.requireRealData()
        let source = SharedTestPaths.fixtures.appendingPathComponent("transformer/mistral")
        let hub = directory.appendingPathComponent("hub"), id = "acme/tiny-mistral"
        let snapshot = try makeCache(at: hub, id: id, source: source)
        let run = { (model: String, output: String) -> [String] in
            ["run", "--model", model, "--corpus", CLI.corpus.path, "--seq-len", "24", "--sequences", "2",
             "--projection-dims", "4", "--seed", "5", "--quiet", "-o", output]
        }
        try succeed(run(source.path, path("folder.h5")))
        try withEnvironment(["HF_HUB_CACHE": hub.path]) { _ = try succeed(run(id, path("hub.h5"))) }
        let cached = try RunFile(contentsOf: URL(fileURLWithPath: path("hub.h5")))
        let folder = try RunFile(contentsOf: URL(fileURLWithPath: path("folder.h5")))
        XCTAssertTrue(cached.metadata.causal)
        for name in ["spectrum/sigma", "projection/theorem1/median", "projection/svd_optimal/max"] {
            let (a, b): ([Double], [Double]) = (try cached.read(name), try folder.read(name))
            XCTAssertFalse(a.isEmpty, name)
            XCTAssertEqual(a, b, "the cached sharded model gave another \(name)")
        }
        XCTAssertEqual(try cached.read("tokens/input_ids", as: Int32.self), try folder.read("tokens/input_ids", as: Int32.self))
        XCTAssertEqual(cached.metadata.modelSHA256, folder.metadata.modelSHA256)
        XCTAssertEqual(cached.metadata.modelPath, snapshot.path)
        XCTAssertEqual(cached.metadata.modelName, id)
    }

    func testUncachedIdsUnknownRevisionsAndRevisionWithAFolderAreRefused() throws {
        try CLI.requireRealData()
        let hub = directory.appendingPathComponent("hub")
        try withEnvironment(["HF_HUB_CACHE": hub.path]) {
            try fail(miniRun("acme/absent-model", path("x.h5")), status: 1,
                     mentioning: ["acme/absent-model", hub.path + "/models--acme--absent-model/refs/main", "HF_HUB_CACHE"])
            _ = try makeCache(at: hub)
            try fail(miniRun(Self.id, path("x.h5"), ["--revision", "v9"]), status: 1,
                     mentioning: ["'v9' is not cached", "main", "v1.0", Self.commit])
        }
        try fail(miniRun(CLI.realModel.path, path("x.h5"), ["--revision", "main"]), status: 64, mentioning: ["--revision", CLI.realModel.path])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.h5")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.h5.partial")))
    }
}
