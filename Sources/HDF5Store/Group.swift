import CHDF5

/// What a path inside a file names.
public enum ObjectKind: String, Sendable {
    /// A group (folder).
    case group
    /// A dataset (array).
    case dataset
    /// A named datatype or another object type this module does not open.
    case other
}

/// An HDF5 group: a folder of groups and datasets, with attributes.
///
/// Paths given to a group's methods are relative to it (`"aggregate/sum"`) or absolute within the
/// file (`"/spectrum/aggregate"`). Nested paths are created with their missing intermediate groups.
///
/// Use a group from one thread at a time (see `File`). `@unchecked Sendable`: the stored
/// properties are immutable and every HDF5 call runs under the module's process-wide lock, so
/// handing a group to another thread (e.g. a writer thread) is safe.
public final class Group: @unchecked Sendable {
    /// The absolute path of the group inside its file; `/` for the root group.
    public let path: String
    /// The path of the file on disk.
    public var filePath: String { context.path }

    let handle: Handle
    let context: FileContext
    var site: Site { context.site(path) }

    init(handle: Handle, path: String, context: FileContext) {
        self.handle = handle
        self.path = path
        self.context = context
        context.register(handle)
    }

    /// The group's attributes.
    public var attributes: Attributes { Attributes(owner: handle, site: site) }

    /// Creates the group at `path` and any missing intermediate groups.
    /// Throws `alreadyExists` if something already exists at `path`.
    public func createGroup(_ path: String) throws -> Group {
        try withHDF5 {
            let full = resolvePath(path, relativeTo: self.path)
            let target = site.with(object: full)
            if try kind(ofAbsolute: full) != nil {
                throw HDF5Error.alreadyExists(kind: "group", file: target.file, object: full)
            }
            let linkList = try Self.intermediateGroupLinkList(target)
            let id = H5Gcreate2(try handle.require(site), full, linkList.id, chdf5_p_default(), chdf5_p_default())
            return Group(handle: try target.own(id, .group, "H5Gcreate2"), path: full, context: context)
        }
    }

    /// Opens the existing group at `path`; throws `notFound` or `wrongKind` otherwise.
    public func openGroup(_ path: String) throws -> Group {
        try withHDF5 {
            let full = resolvePath(path, relativeTo: self.path)
            let target = site.with(object: full)
            try expect(.group, at: full)
            let id = H5Gopen2(try handle.require(site), full, chdf5_p_default())
            return Group(handle: try target.own(id, .group, "H5Gopen2"), path: full, context: context)
        }
    }

    /// Opens the group at `path`, creating it (and missing parents) if it does not exist —
    /// like h5py's `require_group`.
    public func requireGroup(_ path: String) throws -> Group {
        try withHDF5 {
            let full = resolvePath(path, relativeTo: self.path)
            return try kind(ofAbsolute: full) == nil ? createGroup(full) : openGroup(full)
        }
    }

    /// Creates a dataset of `type` with the given current `shape` (row-major, first dimension
    /// slowest), creating missing intermediate groups. See `DatasetOptions` for extendible,
    /// chunked and compressed layouts. Throws `alreadyExists` if `path` is taken.
    public func createDataset(_ path: String, type: ElementType, shape: [Int],
                              options: DatasetOptions = DatasetOptions()) throws -> Dataset {
        try withHDF5 {
            let full = resolvePath(path, relativeTo: self.path)
            if try kind(ofAbsolute: full) != nil {
                throw HDF5Error.alreadyExists(kind: "dataset", file: context.path, object: full)
            }
            let linkList = try Self.intermediateGroupLinkList(site.with(object: full))
            return try Dataset.create(in: try handle.require(site), path: full, type: type, shape: shape,
                                      options: options, linkList: linkList, context: context)
        }
    }

    /// Opens the existing dataset at `path`; throws `notFound` (naming the path) or `wrongKind`.
    public func openDataset(_ path: String) throws -> Dataset {
        try withHDF5 {
            let full = resolvePath(path, relativeTo: self.path)
            try expect(.dataset, at: full)
            return try Dataset.open(in: try handle.require(site), path: full, context: context)
        }
    }

    /// Whether a group or dataset exists at `path` (intermediate components that are missing or
    /// are not groups make the answer `false`, not an error).
    public func exists(_ path: String) throws -> Bool {
        try withHDF5 { try kind(ofAbsolute: resolvePath(path, relativeTo: self.path)) != nil }
    }

    /// What `path` names, or `nil` if nothing exists there.
    public func kind(of path: String) throws -> ObjectKind? {
        try withHDF5 { try kind(ofAbsolute: resolvePath(path, relativeTo: self.path)) }
    }

    /// The names of the group's direct members (groups, datasets, other links), sorted by name.
    public func children() throws -> [String] {
        try withHDF5 {
            let location = try handle.require(site)
            var names: [String] = []
            var index: hsize_t = 0
            let status = withUnsafeMutablePointer(to: &names) { pointer in
                H5Literate(location, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, context in
                    guard let name, let context else { return -1 }
                    context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                    return 0
                }, pointer)
            }
            try site.check(status, "H5Literate")
            return names
        }
    }

    // MARK: - Internals (caller holds the lock)

    /// Walks `absolute` one component at a time so that a missing or non-group intermediate
    /// yields `nil` instead of an HDF5 error.
    func kind(ofAbsolute absolute: String) throws -> ObjectKind? {
        let location = try handle.require(site)
        let parts = absolute.split(separator: "/").map(String.init)
        if parts.isEmpty { return .group }
        var prefix = ""
        for (position, part) in parts.enumerated() {
            prefix += "/" + part
            let target = site.with(object: prefix)
            guard try target.truth(H5Lexists(location, prefix, chdf5_p_default()), "H5Lexists"),
                  try target.truth(H5Oexists_by_name(location, prefix, chdf5_p_default()), "H5Oexists_by_name")
            else { return nil }
            let object = try target.own(H5Oopen(location, prefix, chdf5_p_default()), .object, "H5Oopen")
            let kind: ObjectKind
            switch H5Iget_type(object.id) {
            case H5I_GROUP: kind = .group
            case H5I_DATASET: kind = .dataset
            default: kind = .other
            }
            if position == parts.count - 1 { return kind }
            if kind != .group { return nil }
        }
        return nil
    }

    private func expect(_ expected: ObjectKind, at absolute: String) throws {
        guard let actual = try kind(ofAbsolute: absolute) else {
            throw HDF5Error.notFound(kind: expected.rawValue, file: context.path, object: absolute)
        }
        if actual != expected {
            throw HDF5Error.wrongKind(file: context.path, object: absolute,
                                      expected: expected.rawValue, actual: actual.rawValue)
        }
    }

    /// A link-creation property list that creates missing intermediate groups.
    static func intermediateGroupLinkList(_ site: Site) throws -> Handle {
        let list = try site.own(H5Pcreate(chdf5_p_link_create()), .propertyList, "H5Pcreate(link create)")
        try site.check(H5Pset_create_intermediate_group(list.id, 1), "H5Pset_create_intermediate_group")
        return list
    }
}
