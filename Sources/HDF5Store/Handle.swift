import CHDF5

/// Owns one HDF5 identifier (`hid_t`) and releases it exactly once, in `close()` or `deinit`.
///
/// `@unchecked Sendable`: the only mutable state, `id`, is read and written under the
/// process-wide HDF5 lock (`withHDF5`), and releasing the identifier happens under it as well.
final class Handle: @unchecked Sendable {
    /// Which `H5?close` releases the identifier.
    enum Kind {
        case file, group, dataset, dataspace, datatype, propertyList, attribute
        /// Any object opened with `H5Oopen` (group, dataset or named datatype).
        case object
    }

    private var storedID: hid_t
    let kind: Kind

    init(id: hid_t, kind: Kind) {
        self.storedID = id
        self.kind = kind
        withHDF5 { Self.openCount += 1 }
    }

    /// How many handles are open in the process; tests compare it before and after a workload
    /// to prove identifiers are released on every path.
    /// `nonisolated(unsafe)`: only read and written under the process-wide HDF5 lock.
    nonisolated(unsafe) private(set) static var openCount = 0

    /// The identifier, or `H5I_INVALID_HID` (-1) after `close()`.
    var id: hid_t { storedID }

    var isOpen: Bool { storedID >= 0 }

    /// The identifier, or `.closed` if the file was closed under this object.
    func require(_ site: Site) throws -> hid_t {
        guard storedID >= 0 else { throw HDF5Error.closed(file: site.file, object: site.object) }
        return storedID
    }

    /// Releases the identifier. Returns HDF5's status (negative on failure); idempotent.
    @discardableResult
    func close() -> herr_t {
        withHDF5 {
            guard storedID >= 0 else { return 0 }
            let id = storedID
            storedID = -1
            Self.openCount -= 1
            switch kind {
            case .file: return H5Fclose(id)
            case .group: return H5Gclose(id)
            case .dataset: return H5Dclose(id)
            case .dataspace: return H5Sclose(id)
            case .datatype: return H5Tclose(id)
            case .propertyList: return H5Pclose(id)
            case .attribute: return H5Aclose(id)
            case .object: return H5Oclose(id)
            }
        }
    }

    deinit {
        // A failure to close cannot be reported from deinit; HDF5 would only fail here for an
        // identifier it already considers invalid.
        close()
    }
}

/// What every object opened from one file shares: the file's path (for messages) and the list
/// of open groups and datasets, so that `File.close()` can release them all.
///
/// `@unchecked Sendable`: `open` is only touched under the HDF5 lock.
final class FileContext: @unchecked Sendable {
    let path: String
    private var open: [WeakHandle] = []

    init(path: String) { self.path = path }

    func site(_ object: String) -> Site { Site(file: path, object: object) }

    /// Remembers a group or dataset handle; dead entries are dropped as the list grows.
    func register(_ handle: Handle) {
        withHDF5 {
            if open.count >= 64 && open.count.isMultiple(of: 64) {
                open.removeAll { $0.handle?.isOpen != true }
            }
            open.append(WeakHandle(handle: handle))
        }
    }

    /// Closes every still-open object of the file; returns the first failing status, if any.
    func closeAll() -> herr_t {
        withHDF5 {
            var status: herr_t = 0
            for entry in open {
                if let handle = entry.handle {
                    let result = handle.close()
                    if result < 0 && status >= 0 { status = result }
                }
            }
            open.removeAll()
            return status
        }
    }

    private struct WeakHandle {
        weak var handle: Handle?
    }
}
