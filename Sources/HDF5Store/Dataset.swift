import CHDF5

/// How a new dataset is laid out on disk.
///
/// Chunking is required (and switched on with a default chunk shape) for extendible datasets and
/// for compression. The default chunk is one slice along the first dimension:
/// `[1, shape[1], …, shape[rank-1]]` (e.g. for `[S, L, H, n]` one sequence's `[L, H, n]`).
public struct DatasetOptions: Sendable, Equatable {
    /// Make the first dimension unlimited (`maxdims[0] = H5S_UNLIMITED`) so it can grow with
    /// `Dataset.extend(firstDimension:)` / `Dataset.append(_:)`. The other dimensions stay fixed.
    public var extendible: Bool
    /// Chunk shape, one entry per dimension, each ≥ 1 and ≤ the dimension (unless unlimited).
    /// `nil` means the default chunk when chunking is needed, and a contiguous layout otherwise.
    public var chunkShape: [Int]?
    /// gzip (deflate) level 0–9; `nil` for no compression.
    public var deflateLevel: Int?
    /// Apply the byte-shuffle filter before deflate (usually improves compression of floats).
    public var shuffle: Bool

    /// Options for a dataset; the defaults give a fixed-shape contiguous dataset.
    public init(extendible: Bool = false, chunkShape: [Int]? = nil, deflateLevel: Int? = nil,
                shuffle: Bool = false) {
        self.extendible = extendible
        self.chunkShape = chunkShape
        self.deflateLevel = deflateLevel
        self.shuffle = shuffle
    }

    var needsChunks: Bool { extendible || chunkShape != nil || deflateLevel != nil || shuffle }
}

/// An n-dimensional array of one `ElementType` stored in a file. Values are exchanged as flat
/// row-major Swift arrays (the last dimension varies fastest, as in NumPy's C order).
///
/// Use a dataset from one thread at a time (see `File`). `@unchecked Sendable`: the stored
/// properties are immutable and every HDF5 call runs under the module's process-wide lock, so a
/// dataset can be handed to the pipeline's writer thread.
public final class Dataset: @unchecked Sendable {
    /// The absolute path of the dataset inside its file, e.g. `/spectrum/sigma`.
    public let path: String
    /// The element type on disk.
    public let elementType: ElementType
    /// The number of dimensions.
    public let rank: Int
    /// The path of the file on disk.
    public var filePath: String { context.path }

    let handle: Handle
    let context: FileContext
    var site: Site { context.site(path) }

    private init(handle: Handle, path: String, elementType: ElementType, rank: Int, context: FileContext) {
        self.handle = handle
        self.path = path
        self.elementType = elementType
        self.rank = rank
        self.context = context
        context.register(handle)
    }

    /// The dataset's attributes.
    public var attributes: Attributes { Attributes(owner: handle, site: site) }

    /// The current shape (grows with `extend(firstDimension:)`).
    public var shape: [Int] {
        get throws { try withHDF5 { try extent().current } }
    }

    /// The maximum shape; `nil` marks an unlimited dimension.
    public var maximumShape: [Int?] {
        get throws { try withHDF5 { try extent().maximum } }
    }

    /// The chunk shape, or `nil` for a contiguous or compact dataset.
    public var chunkShape: [Int]? {
        get throws {
            try withHDF5 {
                let list = try site.own(H5Dget_create_plist(try handle.require(site)), .propertyList,
                                        "H5Dget_create_plist")
                guard H5Pget_layout(list.id) == H5D_CHUNKED else { return nil }
                var dims = [hsize_t](repeating: 0, count: rank)
                let got = H5Pget_chunk(list.id, Int32(rank), &dims)
                if got < 0 { throw site.failure("H5Pget_chunk") }
                return dims.map { Int($0) }
            }
        }
    }

    /// Grows the first dimension to `newSize` (the new total, not an increment). The dataset must
    /// have been created `extendible`; shrinking is refused so data is never dropped by accident.
    public func extend(firstDimension newSize: Int) throws {
        try withHDF5 {
            let (current, maximum) = try extent()
            guard maximum.first.map({ $0 == nil }) == true else {
                throw site.invalid("extend", "the first dimension is fixed at \(current.first ?? 0); "
                                   + "create the dataset with DatasetOptions(extendible: true)")
            }
            guard newSize >= current[0] else {
                throw site.invalid("extend", "new first dimension \(newSize) is smaller than the current \(current[0])")
            }
            let dims = ([newSize] + current.dropFirst()).map { hsize_t($0) }
            try site.check(H5Dset_extent(try handle.require(site), dims), "H5Dset_extent")
        }
    }

    // MARK: - Creation and opening (caller holds the lock)

    static func create(in location: hid_t, path: String, type: ElementType, shape: [Int],
                       options: DatasetOptions, linkList: Handle, context: FileContext) throws -> Dataset {
        let site = context.site(path)
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }) else {
            throw site.invalid("create dataset", "shape \(shape) must have at least one dimension, none negative")
        }
        let creation = try site.own(H5Pcreate(chdf5_p_dataset_create()), .propertyList, "H5Pcreate(dataset create)")
        if options.needsChunks {
            let chunk = options.chunkShape ?? [1] + shape.dropFirst().map { max(1, $0) }
            try validate(chunk: chunk, shape: shape, extendible: options.extendible, site)
            try site.check(H5Pset_chunk(creation.id, Int32(chunk.count), chunk.map { hsize_t($0) }), "H5Pset_chunk")
        }
        // Filter order matters: shuffle must run before deflate to help it.
        if options.shuffle {
            try site.check(H5Pset_shuffle(creation.id), "H5Pset_shuffle")
        }
        if let level = options.deflateLevel {
            guard (0...9).contains(level) else {
                throw site.invalid("create dataset", "deflate level \(level) is outside 0...9")
            }
            try site.check(H5Pset_deflate(creation.id, UInt32(level)), "H5Pset_deflate")
        }
        let dims = shape.map { hsize_t($0) }
        var maxDims = dims
        if options.extendible { maxDims[0] = chdf5_s_unlimited() }
        let space = try site.own(H5Screate_simple(Int32(shape.count), dims, maxDims), .dataspace, "H5Screate_simple")
        let fileType = try type.makeDatatype(forFile: true, site)
        let id = H5Dcreate2(location, path, fileType.id, space.id, linkList.id, creation.id, chdf5_p_default())
        return Dataset(handle: try site.own(id, .dataset, "H5Dcreate2"), path: path, elementType: type,
                       rank: shape.count, context: context)
    }

    static func open(in location: hid_t, path: String, context: FileContext) throws -> Dataset {
        let site = context.site(path)
        let handle = try site.own(H5Dopen2(location, path, chdf5_p_default()), .dataset, "H5Dopen2")
        let type = try site.own(H5Dget_type(handle.id), .datatype, "H5Dget_type")
        let elementType = try ElementType.of(datatype: type.id, site)
        let space = try site.own(H5Dget_space(handle.id), .dataspace, "H5Dget_space")
        let rank = H5Sget_simple_extent_ndims(space.id)
        if rank < 0 { throw site.failure("H5Sget_simple_extent_ndims") }
        guard rank > 0 else {
            throw HDF5Error.unsupportedType(file: site.file, object: path, detail: "scalar (rank 0) dataset")
        }
        return Dataset(handle: handle, path: path, elementType: elementType, rank: Int(rank), context: context)
    }

    private static func validate(chunk: [Int], shape: [Int], extendible: Bool, _ site: Site) throws {
        guard chunk.count == shape.count else {
            throw site.invalid("create dataset", "chunk shape \(chunk) has rank \(chunk.count), shape \(shape) has \(shape.count)")
        }
        for (axis, size) in chunk.enumerated() {
            let unlimited = extendible && axis == 0
            guard size >= 1, unlimited || size <= shape[axis] else {
                throw site.invalid("create dataset", "chunk shape \(chunk) does not fit shape \(shape) "
                                   + "(each chunk dimension must be ≥ 1 and ≤ its fixed dimension)")
            }
        }
    }

    /// Current and maximum dimensions (caller holds the lock).
    func extent() throws -> (current: [Int], maximum: [Int?]) {
        let space = try site.own(H5Dget_space(try handle.require(site)), .dataspace, "H5Dget_space")
        var dims = [hsize_t](repeating: 0, count: rank)
        var maxDims = [hsize_t](repeating: 0, count: rank)
        if H5Sget_simple_extent_dims(space.id, &dims, &maxDims) < 0 {
            throw site.failure("H5Sget_simple_extent_dims")
        }
        let unlimited = chdf5_s_unlimited()
        // A corrupt file can claim any 64-bit extent; `Int(_:)` would trap on one beyond Int.max.
        var current: [Int] = []
        for dim in dims {
            guard let value = Int(exactly: dim) else {
                throw site.invalid("H5Sget_simple_extent_dims", "dimension \(dim) of shape \(dims) is out of range")
            }
            current.append(value)
        }
        return (current, maxDims.map { $0 == unlimited ? nil : Int(exactly: $0) ?? Int.max })
    }
}
