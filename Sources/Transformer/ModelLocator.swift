import Foundation

/// Where a model's files are: a folder given as a path, or a snapshot in the Hugging Face hub cache.
public struct ModelLocation: Sendable, Equatable {
    /// The folder holding `config.json`, the safetensors checkpoint and `tokenizer.json`.
    public var directory: URL
    /// `ORG/NAME` when the model came from the hub cache.
    public var hubID: String?
    /// The snapshot's commit when the model came from the hub cache.
    public var commit: String?
}

/// Finds a model given as `--model`: an existing folder is used as it is; otherwise a hub id
/// (`ORG/NAME`, or `NAME` for the few unprefixed models) is resolved offline in the hub cache, never
/// over the network.
///
/// The cache is the folder `huggingface_hub` downloads into: `$HF_HUB_CACHE`, else the legacy
/// `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
/// `~/.cache/huggingface/hub`. Inside it a model is laid out as
///
/// ```
/// models--ORG--NAME/
///   refs/main                  the commit the branch `main` pointed to at download time
///   snapshots/<commit>/…       the repository's files, as symlinks into ../../blobs/
///   blobs/<hash>               the file contents
/// ```
///
/// `revision` picks a branch or tag (a file under `refs/`) or a commit (a folder under
/// `snapshots/`); the default is `main`. A snapshot is accepted only when every link in it reaches
/// its blob and it holds `config.json` plus a safetensors checkpoint: `model.safetensors`, or
/// `model.safetensors.index.json` with every shard it names, so an interrupted download is an
/// error here rather than a confusing one later.
public struct ModelLocator: Sendable {
    /// The hub cache folder this locator searches.
    public let cache: URL
    /// Which setting chose `cache`, for messages (e.g. `HF_HUB_CACHE`).
    public let cacheOrigin: String

    /// Largest `model.safetensors.index.json` read (real ones are well under 1 MB).
    static let indexByteLimit = 16 << 20

    /// - Parameters:
    ///   - environment: where `HF_HUB_CACHE`, `HF_HOME` etc. are looked up.
    ///   - home: the home folder for `~` and the default cache.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                home: URL = FileManager.default.homeDirectoryForCurrentUser) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name], !raw.isEmpty else { return nil }
            if raw == "~" { return home.path }
            return raw.hasPrefix("~/") ? home.path + raw.dropFirst(1) : raw
        }
        if let path = value("HF_HUB_CACHE") {
            (cache, cacheOrigin) = (URL(fileURLWithPath: path), "HF_HUB_CACHE")
        } else if let path = value("HUGGINGFACE_HUB_CACHE") {
            (cache, cacheOrigin) = (URL(fileURLWithPath: path), "HUGGINGFACE_HUB_CACHE")
        } else if let path = value("HF_HOME") {
            (cache, cacheOrigin) = (URL(fileURLWithPath: path).appendingPathComponent("hub"), "HF_HOME/hub")
        } else if let path = value("XDG_CACHE_HOME") {
            (cache, cacheOrigin) = (URL(fileURLWithPath: path).appendingPathComponent("huggingface/hub"), "XDG_CACHE_HOME/huggingface/hub")
        } else {
            (cache, cacheOrigin) = (home.appendingPathComponent(".cache/huggingface/hub"), "~/.cache/huggingface/hub")
        }
    }

    /// The folder of `reference`: the path itself when it exists, else the hub-cache snapshot of
    /// the id `reference` at `revision` (default `main`).
    /// - Throws: ``ModelLocatorError`` naming the places searched, a revision that is not cached,
    ///   or what is missing from the snapshot.
    public func locate(_ reference: String, revision: String? = nil) throws(ModelLocatorError) -> ModelLocation {
        let folder = URL(fileURLWithPath: reference)
        if FileManager.default.fileExists(atPath: folder.path) {
            if revision != nil { throw .revisionForFolder(folder.path) }
            return ModelLocation(directory: folder, hubID: nil, commit: nil)
        }
        guard Self.isHubID(reference) else { throw .notFound(reference: reference, searched: [folder.path]) }
        let repository = cache.appendingPathComponent("models--" + reference.replacingOccurrences(of: "/", with: "--"))
        let wanted = revision ?? "main"
        guard Self.isRevision(wanted) else { throw .invalidRevision(wanted) }
        let ref = repository.appendingPathComponent("refs").appendingPathComponent(wanted)
        guard FileManager.default.fileExists(atPath: repository.path) else {
            throw .notFound(reference: reference, searched: [folder.path, "\(ref.path) (hub cache from \(cacheOrigin))"])
        }
        let commit = try Self.commit(of: wanted, ref: ref, repository: repository)
        let snapshot = repository.appendingPathComponent("snapshots").appendingPathComponent(commit)
        try Self.checkSnapshot(snapshot)
        return ModelLocation(directory: snapshot, hubID: reference, commit: commit)
    }

    /// Whether `text` has the shape of a hub model id: `NAME` or `ORG/NAME` of letters, digits,
    /// `-`, `_` and `.`, without `--` or `..` (which the cache's folder names could not tell apart),
    /// at most 96 characters, not starting or ending with `-` or `.`.
    public static func isHubID(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), text.count <= 96, !text.contains("--"), !text.contains("..") else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, let last = part.last, !"-.".contains(first), !"-.".contains(last) else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
    }

    /// Branch, tag or commit names: `/`-separated parts of letters, digits, `-`, `_`, `.`, none of
    /// them `.` or `..`, so a revision can never leave the repository folder.
    static func isRevision(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return !parts.isEmpty && text.count <= 256 && parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
    }

    /// The commit `revision` names: the content of `refs/<revision>`, else `revision` itself when
    /// `snapshots/<revision>` exists.
    private static func commit(of revision: String, ref: URL, repository: URL) throws(ModelLocatorError) -> String {
        let snapshots = repository.appendingPathComponent("snapshots")
        if let data = FileManager.default.contents(atPath: ref.path) {
            let commit = String(decoding: data.prefix(256), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !commit.isEmpty, !commit.contains("/"), isRevision(commit) else {
                throw .incompleteSnapshot(snapshot: ref.path, detail: "does not hold a commit name")
            }
            guard FileManager.default.fileExists(atPath: snapshots.appendingPathComponent(commit).path) else {
                throw .incompleteSnapshot(snapshot: snapshots.appendingPathComponent(commit).path,
                                          detail: "is missing although \(ref.path) points to it (an interrupted download?)")
            }
            return commit
        }
        if !revision.contains("/"), FileManager.default.fileExists(atPath: snapshots.appendingPathComponent(revision).path) {
            return revision
        }
        throw .revisionNotCached(revision: revision, repository: repository.path,
                                 refs: refNames(repository.appendingPathComponent("refs")), snapshots: snapshotNames(snapshots))
    }

    /// Throws unless every link in `snapshot` reaches its blob and the checkpoint is complete.
    static func checkSnapshot(_ snapshot: URL) throws(ModelLocatorError) {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: snapshot.path)) ?? []
        let dangling = names.sorted().filter { name in
            let path = snapshot.appendingPathComponent(name).path
            return (try? fm.destinationOfSymbolicLink(atPath: path)) != nil && !fm.fileExists(atPath: path)
        }
        if !dangling.isEmpty {
            throw .incompleteSnapshot(snapshot: snapshot.path, detail: "links to missing blobs: \(dangling.joined(separator: ", ")) (an interrupted download?)")
        }
        func present(_ name: String) -> Bool { fm.fileExists(atPath: snapshot.appendingPathComponent(name).path) }
        guard present("config.json") else { throw .incompleteSnapshot(snapshot: snapshot.path, detail: "has no config.json") }
        if present("model.safetensors") { return }
        guard present("model.safetensors.index.json") else {
            let other = ["pytorch_model.bin", "tf_model.h5", "flax_model.msgpack"].filter(present)
            let note = other.isEmpty ? "" : " (only \(other.joined(separator: ", ")); this toolkit reads safetensors checkpoints)"
            throw .incompleteSnapshot(snapshot: snapshot.path, detail: "has neither model.safetensors nor model.safetensors.index.json\(note)")
        }
        let missing = try shards(ofIndex: snapshot.appendingPathComponent("model.safetensors.index.json")).filter { !present($0) }
        if !missing.isEmpty {
            throw .incompleteSnapshot(snapshot: snapshot.path, detail: "lacks checkpoint shards named in model.safetensors.index.json: \(missing.joined(separator: ", "))")
        }
    }

    /// The distinct file names of a sharded checkpoint's `weight_map`, in first-seen order.
    static func shards(ofIndex url: URL) throws(ModelLocatorError) -> [String] {
        func bad(_ detail: String) -> ModelLocatorError { .invalidIndex(file: url.path, detail: detail) }
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= indexByteLimit else { throw bad("is \(size) bytes, more than the \(indexByteLimit) an index can plausibly need") }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw bad("cannot be read") }
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw bad("is not a JSON object")
        }
        guard let map = root["weight_map"] as? [String: Any], !map.isEmpty else { throw bad("has no weight_map") }
        var files: [String] = []
        for key in map.keys.sorted() {
            guard let file = map[key] as? String else { throw bad("weight_map[\"\(key)\"] is not a file name") }
            guard !file.isEmpty, !file.contains("/"), file != ".", file != ".." else {
                throw bad("weight_map[\"\(key)\"] = \"\(file)\" is not a file name inside the snapshot")
            }
            if !files.contains(file) { files.append(file) }
        }
        return files
    }

    /// Branch and tag names under `refs/` (files, possibly nested as in `refs/pr/1`), sorted.
    private static func refNames(_ folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var names: [String] = []
        while let name = enumerator.nextObject() as? String, names.count < 50 {
            if (enumerator.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { names.append(name) }
        }
        return names.sorted()
    }

    /// Commit folders under `snapshots/`, sorted.
    private static func snapshotNames(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }
}

/// Why ``ModelLocator`` found no usable model folder. Every case names the paths involved.
public enum ModelLocatorError: Error, Equatable, CustomStringConvertible {
    /// Neither a folder nor a cached model; `searched` lists every place looked at.
    case notFound(reference: String, searched: [String])
    /// The model is cached, but not at this revision.
    case revisionNotCached(revision: String, repository: String, refs: [String], snapshots: [String])
    /// A snapshot (or the ref pointing to it) is broken or lacks checkpoint files.
    case incompleteSnapshot(snapshot: String, detail: String)
    /// A `model.safetensors.index.json` that cannot be used.
    case invalidIndex(file: String, detail: String)
    /// A revision name that is not a branch, tag or commit name.
    case invalidRevision(String)
    /// `--revision` was given with a model folder, which has no revisions.
    case revisionForFolder(String)

    public var description: String {
        switch self {
        case .notFound(let reference, let searched):
            guard searched.count > 1 else { return "model folder \(searched.joined()) does not exist" }
            return "model '\(reference)' not found: no such folder and no cached snapshot; looked for \(searched.joined(separator: " and ")); "
                + "download it first (e.g. `hf download \(reference)`) or point HF_HUB_CACHE or HF_HOME at the cache that holds it"
        case .revisionNotCached(let revision, let repository, let refs, let snapshots):
            return "\(repository): revision '\(revision)' is not cached (refs: \(refs.isEmpty ? "none" : refs.joined(separator: ", ")); "
                + "snapshots: \(snapshots.isEmpty ? "none" : snapshots.joined(separator: ", "))); pick one with --revision"
        case .incompleteSnapshot(let snapshot, let detail):
            return "\(snapshot): \(detail)"
        case .invalidIndex(let file, let detail):
            return "\(file): unusable checkpoint index: \(detail)"
        case .invalidRevision(let revision):
            return "'\(revision)' is not a branch, tag or commit name"
        case .revisionForFolder(let folder):
            return "--revision applies to hub-cache ids, not to the model folder \(folder)"
        }
    }
}
