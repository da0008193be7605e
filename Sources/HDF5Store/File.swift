import CHDF5
import Foundation

/// An open HDF5 file.
///
/// The file stays open while this object or any group or dataset opened from it is alive, and is
/// closed when the last of them is released; `close()` closes it (and all of them) at once.
/// Group and dataset methods on `File` act on the root group.
///
/// Threads: use a file and the objects opened from it from one thread at a time. Each call is
/// serialised by a process-wide lock (HDF5 1.10 is not thread-safe in most builds), so handing
/// the file to another thread is safe, but a sequence of calls is not atomic.
/// `@unchecked Sendable` for that reason: immutable stored properties, all HDF5 access locked.
public final class File: @unchecked Sendable {
    /// How an existing file is opened.
    public enum AccessMode: Sendable {
        /// `H5F_ACC_RDONLY`: any write throws.
        case readOnly
        /// `H5F_ACC_RDWR`: objects can be created, extended and written.
        case readWrite
    }

    /// The path the file was created or opened with.
    public var path: String { context.path }
    /// The root group `/`.
    public let root: Group

    let handle: Handle
    let context: FileContext

    private init(handle: Handle, context: FileContext) throws {
        self.handle = handle
        self.context = context
        let site = context.site("/")
        let rootID = H5Gopen2(handle.id, "/", chdf5_p_default())
        self.root = Group(handle: try site.own(rootID, .group, "H5Gopen2"), path: "/", context: context)
    }

    /// Creates a new file. Refuses to replace an existing file (throws `fileExists`) unless
    /// `overwrite` is true, in which case the old content is truncated.
    public static func create(_ path: String, overwrite: Bool = false) throws -> File {
        try withHDF5 {
            let context = FileContext(path: path)
            let site = context.site("/")
            if !overwrite && FileManager.default.fileExists(atPath: path) {
                throw HDF5Error.fileExists(file: path)
            }
            // H5F_ACC_EXCL still guards against a file appearing between the check and the create.
            let flags = overwrite ? chdf5_acc_trunc() : chdf5_acc_excl()
            let id = H5Fcreate(path, flags, chdf5_p_default(), chdf5_p_default())
            return try File(handle: try site.own(id, .file, "H5Fcreate"), context: context)
        }
    }

    /// Opens an existing file. A missing file or one that is not HDF5 throws `library` carrying
    /// HDF5's own explanation (e.g. "file signature not found").
    public static func open(_ path: String, mode: AccessMode = .readOnly) throws -> File {
        try withHDF5 {
            let context = FileContext(path: path)
            let flags = mode == .readOnly ? chdf5_acc_rdonly() : chdf5_acc_rdwr()
            let id = H5Fopen(path, flags, chdf5_p_default())
            return try File(handle: try context.site("/").own(id, .file, "H5Fopen"), context: context)
        }
    }

    /// The root group's attributes (what h5py shows as `file.attrs`).
    public var attributes: Attributes { root.attributes }

    /// Writes all buffered data and metadata of the file to disk.
    public func flush() throws {
        try withHDF5 {
            let site = context.site("/")
            try site.check(H5Fflush(try handle.require(site), H5F_SCOPE_GLOBAL), "H5Fflush")
        }
    }

    /// Closes every group and dataset opened from this file, then the file itself, so the file is
    /// complete on disk and unlocked for other processes. Objects used afterwards throw `closed`.
    /// Idempotent.
    public func close() throws {
        try withHDF5 {
            let site = context.site("/")
            guard handle.isOpen else { return }
            let objects = context.closeAll()
            try site.check(handle.close(), "H5Fclose")
            try site.check(objects, "H5Oclose (objects of the file)")
        }
    }

    // MARK: - Root-group shortcuts

    /// `root.createGroup(_:)`.
    public func createGroup(_ path: String) throws -> Group { try root.createGroup(path) }
    /// `root.openGroup(_:)`.
    public func openGroup(_ path: String) throws -> Group { try root.openGroup(path) }
    /// `root.requireGroup(_:)`.
    public func requireGroup(_ path: String) throws -> Group { try root.requireGroup(path) }
    /// `root.createDataset(_:type:shape:options:)`.
    public func createDataset(_ path: String, type: ElementType, shape: [Int],
                              options: DatasetOptions = DatasetOptions()) throws -> Dataset {
        try root.createDataset(path, type: type, shape: shape, options: options)
    }
    /// `root.openDataset(_:)`.
    public func openDataset(_ path: String) throws -> Dataset { try root.openDataset(path) }
    /// `root.exists(_:)`.
    public func exists(_ path: String) throws -> Bool { try root.exists(path) }
    /// `root.kind(of:)`.
    public func kind(of path: String) throws -> ObjectKind? { try root.kind(of: path) }
    /// `root.children()`.
    public func children() throws -> [String] { try root.children() }
}
