import XCTest
@testable import HDF5Store

/// Values written with HDF5Store must read back bit-for-bit (no tolerance: storage is lossless).
final class RoundTripTests: XCTestCase {
    /// Exactly representable in IEEE half: ±0, 1, -2.5, 0.5, max 65504, smallest normal 2⁻¹⁴,
    /// smallest subnormal 2⁻²⁴, infinity.
    static let halfValues: [Float] = [0, 1, -2.5, 0.5, 65504, 0x1p-14, 0x1p-24, .infinity]

    func testEveryElementTypeRoundTripsExactly() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("types.h5").path
        let floats: [Float] = [0, -1.5, .pi, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.0]
        let doubles: [Double] = [1.0 / 3.0, -1e300, .leastNormalMagnitude, .pi, 0, 2]
        let int32s: [Int32] = [.min, -1, 0, 1, .max, 12345]
        let int64s: [Int64] = [.min, -1, 0, 1, .max, 1 << 40]
        let halves = Self.halfValues.map { Float16($0) }
        do {
            let file = try File.create(path)
            try file.createDataset("f32", type: .float32, shape: [2, 3]).write(floats)
            try file.createDataset("f64", type: .float64, shape: [6]).write(doubles)
            try file.createDataset("i32", type: .int32, shape: [3, 2]).write(int32s)
            try file.createDataset("i64", type: .int64, shape: [1, 6]).write(int64s)
            try file.createDataset("f16", type: .float16, shape: [8]).write(halves)
            try file.createDataset("f16-from-float", type: .float16, shape: [2, 4]).write(Self.halfValues)
        }
        let file = try File.open(path)
        XCTAssertEqual(try file.openDataset("f32").read(as: Float.self).map(\.bitPattern), floats.map(\.bitPattern))
        XCTAssertEqual(try file.openDataset("f64").read(as: Double.self), doubles)
        XCTAssertEqual(try file.openDataset("i32").read(as: Int32.self), int32s)
        XCTAssertEqual(try file.openDataset("i64").read(as: Int64.self), int64s)
        XCTAssertEqual(try file.openDataset("f16").read(as: Float16.self), halves)
        XCTAssertEqual(try file.openDataset("f16").read(as: Float.self), Self.halfValues)
        XCTAssertEqual(try file.openDataset("f16-from-float").read(as: Float.self), Self.halfValues)

        let types = try ["f32", "f64", "i32", "i64", "f16"].map { try file.openDataset($0).elementType }
        XCTAssertEqual(types, [.float32, .float64, .int32, .int64, .float16])
        XCTAssertEqual(try file.openDataset("i32").shape, [3, 2])
        XCTAssertEqual(try file.children(), ["f16", "f16-from-float", "f32", "f64", "i32", "i64"])
    }

    func testFloatIntoHalfRoundsToNearestEven() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("round.h5").path
        let file = try File.create(path)
        let dataset = try file.createDataset("h", type: .float16, shape: [3])
        // 1 + 2⁻¹¹ lies halfway between 1 and 1 + 2⁻¹⁰: ties to even gives 1.
        try dataset.write([Float(1) + 0x1p-11, 0.1, 1e6] as [Float])
        XCTAssertEqual(try dataset.read(as: Float.self), [1, Float(Float16(0.1)), .infinity])
    }

    func testExtendibleDatasetAppendedSliceBySlice() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("stream.h5").path
        // [S, L, H, n] grown one sequence at a time, like the pipeline's sigma.
        let slice = [2, 3, 4]
        let sliceCount = slice.reduce(1, *)
        func values(_ s: Int) -> [Double] { (0..<sliceCount).map { Double(s * 1000 + $0) + 0.5 } }
        do {
            let file = try File.create(path)
            let sigma = try file.createDataset("/spectrum/sigma", type: .float64, shape: [0] + slice,
                                               options: DatasetOptions(extendible: true))
            XCTAssertEqual(try sigma.maximumShape, [nil, 2, 3, 4])
            XCTAssertEqual(try sigma.chunkShape, [1, 2, 3, 4])
            for s in 0..<4 {
                XCTAssertEqual(try sigma.append(values(s)), s)
            }
            try sigma.extend(firstDimension: 5)
            try sigma.write(values(4), at: 4)
            XCTAssertThrowsError(try sigma.extend(firstDimension: 2))
            XCTAssertThrowsError(try sigma.append([1.0]), "a wrong-sized slice must not grow the dataset")
            XCTAssertEqual(try sigma.shape, [5] + slice)
            try file.flush()
        }
        let sigma = try File.open(path).openDataset("spectrum/sigma")
        XCTAssertEqual(try sigma.shape, [5] + slice)
        for s in 0..<5 {
            XCTAssertEqual(try sigma.read(at: s, as: Double.self), values(s), "slice \(s)")
        }
        XCTAssertEqual(try sigma.read(as: Double.self), (0..<5).flatMap(values))
    }

    func testChunkedDeflateShuffleRoundTripAndCompresses() throws {
        let directory = try temporaryDirectory(self)
        let shape = [4, 64, 64]
        // Smooth, repetitive data: compressible, so the filters must have run.
        let values = (0..<shape.reduce(1, *)).map { Float(($0 % 64) / 8) * 0.125 }
        let options = DatasetOptions(chunkShape: [1, 64, 64], deflateLevel: 9, shuffle: true)
        let compressedPath = directory.appendingPathComponent("deflate.h5").path
        let plainPath = directory.appendingPathComponent("plain.h5").path
        do {
            try File.create(compressedPath).createDataset("P", type: .float32, shape: shape, options: options)
                .write(values)
            try File.create(plainPath).createDataset("P", type: .float32, shape: shape).write(values)
        }
        let dataset = try File.open(compressedPath).openDataset("P")
        XCTAssertEqual(try dataset.read(as: Float.self), values)
        XCTAssertEqual(try dataset.chunkShape, [1, 64, 64])
        let sizes = try [compressedPath, plainPath].map {
            try XCTUnwrap(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int)
        }
        XCTAssertLessThan(sizes[0] * 4, sizes[1], "deflate+shuffle should shrink this data at least 4×: \(sizes)")
    }

    func testGeneralHyperslabWriteAndRead() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("slab.h5").path
        let file = try File.create(path)
        let dataset = try file.createDataset("m", type: .int32, shape: [4, 5])
        try dataset.write([Int32](repeating: 0, count: 20))
        try dataset.write([1, 2, 3, 4, 5, 6] as [Int32], start: [1, 2], count: [2, 3])
        XCTAssertEqual(try dataset.read(start: [1, 2], count: [2, 3], as: Int32.self), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try dataset.read(start: [0, 3], count: [4, 1], as: Int32.self), [0, 2, 5, 0])
        XCTAssertEqual(try dataset.read(start: [0, 0], count: [0, 5], as: Int32.self), [])
        XCTAssertThrowsError(try dataset.write([1] as [Int32], start: [3, 5], count: [1, 1]))
        XCTAssertThrowsError(try dataset.write([1, 2] as [Int32], start: [0, 0], count: [1, 1]))
        XCTAssertThrowsError(try dataset.read(at: 4, as: Int32.self))
    }

    func testGroupsNestedPathsAndExistence() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("groups.h5").path
        let file = try File.create(path)
        let aggregate = try file.createGroup("/spectrum/aggregate")
        XCTAssertEqual(aggregate.path, "/spectrum/aggregate")
        _ = try aggregate.createDataset("sum", type: .float64, shape: [2])
        XCTAssertTrue(try file.exists("spectrum"))
        XCTAssertTrue(try file.exists("/spectrum/aggregate/sum"))
        XCTAssertFalse(try file.exists("/spectrum/missing/deeper"))
        XCTAssertFalse(try file.exists("/spectrum/aggregate/sum/not-below-a-dataset"))
        XCTAssertEqual(try file.kind(of: "spectrum/aggregate"), .group)
        XCTAssertEqual(try file.kind(of: "spectrum/aggregate/sum"), .dataset)
        XCTAssertEqual(try file.openGroup("spectrum").children(), ["aggregate"])
        XCTAssertEqual(try file.requireGroup("spectrum/aggregate").path, "/spectrum/aggregate")
        XCTAssertEqual(try file.requireGroup("projection").path, "/projection")
        XCTAssertEqual(try aggregate.openDataset("./sum").path, "/spectrum/aggregate/sum")
        XCTAssertThrowsError(try file.createGroup("spectrum")) { error in
            XCTAssertEqual(error as? HDF5Error, .alreadyExists(kind: "group", file: path, object: "/spectrum"))
        }
        XCTAssertThrowsError(try file.openDataset("spectrum/aggregate")) { error in
            XCTAssertEqual(error as? HDF5Error, .wrongKind(file: path, object: "/spectrum/aggregate",
                                                           expected: "dataset", actual: "group"))
        }
    }

    func testCloseReleasesEverythingAndLaterUseThrows() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("close.h5").path
        let file = try File.create(path)
        let dataset = try file.createDataset("/a/b", type: .int64, shape: [2])
        try dataset.write([7, 8] as [Int64])
        try file.close()
        try file.close()
        XCTAssertThrowsError(try dataset.read(as: Int64.self)) { error in
            XCTAssertEqual(error as? HDF5Error, .closed(file: path, object: "/a/b"))
        }
        // The file is fully closed, so it can be reopened for writing at once.
        let again = try File.open(path, mode: .readWrite)
        try again.openDataset("a/b").write([9, 10] as [Int64])
        XCTAssertEqual(try again.openDataset("a/b").read(as: Int64.self), [9, 10])
    }
}
