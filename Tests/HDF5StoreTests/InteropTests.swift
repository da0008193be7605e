import XCTest
import TestSupport
@testable import HDF5Store

/// Files must pass both ways between HDF5Store and h5py.
final class InteropTests: XCTestCase {
    static let fixture = repositoryRoot.appendingPathComponent("Tests/Fixtures/hdf5/h5py-written.h5").path
    /// The values scripts/make-hdf5-fixture.py and scripts/check-h5py-interop.py use for float16.
    static let halfValues: [Float] = [0, 1, -2.5, 0.5, 65504, 0x1p-14, 0x1p-24, -1]

    /// Reads the committed file written by scripts/make-hdf5-fixture.py (h5py defaults).
    func testReadsFileWrittenByH5py() throws {
        let file = try File.open(Self.fixture)
        let attributes = file.attributes
        XCTAssertEqual(try attributes.names(),
                       ["count", "doubles", "fixed", "fixed_names", "ints", "names", "ratio", "small", "title"])
        XCTAssertEqual(try attributes.string("title"), "h5py fixture ✓")         // variable-length UTF-8
        XCTAssertEqual(try attributes.string("fixed"), "fixed-ascii")           // fixed-length, NUL-padded
        XCTAssertEqual(try attributes.int64("count"), 42)
        XCTAssertEqual(try attributes.int64("small"), -7)                       // int32 on disk
        XCTAssertEqual(try attributes.double("ratio"), 0.125)
        XCTAssertEqual(try attributes.int64Array("ints"), [1, -2, 3])
        XCTAssertEqual(try attributes.doubleArray("doubles"), [0.5, -1.25, 1e300])
        XCTAssertEqual(try attributes.stringArray("names"), ["alpha", "béta", ""])
        XCTAssertEqual(try attributes.stringArray("fixed_names"), ["ab", "cde"])

        let f16 = try file.openDataset("types/f16")
        XCTAssertEqual(f16.elementType, .float16)
        XCTAssertEqual(try f16.shape, [2, 4])
        XCTAssertEqual(try f16.read(as: Float.self), Self.halfValues)
        XCTAssertEqual(try f16.read(as: Float16.self), Self.halfValues.map { Float16($0) })
        let f32 = try file.openDataset("types/f32")
        XCTAssertEqual(f32.elementType, .float32)
        XCTAssertEqual(try f32.read(as: Float.self), (0..<6).map { Float($0) * 0.25 - 1 })
        XCTAssertEqual(try file.openDataset("types/f64").read(as: Double.self), [1.0 / 3.0, -1e300, .pi])
        XCTAssertEqual(try file.openDataset("types/i32").read(as: Int32.self), [.min, -1, 0, .max])
        let i64 = try file.openDataset("types/i64")
        XCTAssertEqual(try i64.shape, [2, 2])
        XCTAssertEqual(try i64.read(as: Int64.self), [.min, -1, 0, .max])

        let stream = try file.openDataset("stream/P")
        XCTAssertEqual(try stream.shape, [3, 4, 5])
        XCTAssertEqual(try stream.maximumShape, [nil, 4, 5])
        XCTAssertEqual(try stream.chunkShape, [1, 4, 5])
        for s in 0..<3 {
            XCTAssertEqual(try stream.read(at: s, as: Float.self), (0..<20).map { Float($0 + 100 * s) })
        }
        XCTAssertEqual(try stream.attributes.string("units"), "probability")
        XCTAssertEqual(try file.openGroup("spectrum/aggregate").attributes.int64("count"), 3)
        XCTAssertEqual(try file.children(), ["spectrum", "stream", "types"])
    }

    /// Writes a file with HDF5Store and has h5py check it with scripts/check-h5py-interop.py.
    func testH5pyReadsFileWrittenBySwift() throws {
        guard let python = try pythonWithH5py() else {
            return XCTFail("no Python with h5py + numpy: set SPECTRUM_PYTHON or run `make setup` "
                           + "(it creates .venv with h5py and numpy)")
        }
        let path = try temporaryDirectory(self).appendingPathComponent("swift-written.h5").path
        let file = try File.create(path)
        try file.attributes.set("title", "Swift writer ✓")
        try file.attributes.set("version", Int64(3))
        try file.attributes.set("scale", 0.25)
        try file.attributes.set("shape", [2, 3] as [Int64])
        try file.attributes.set("weights", [0.5, -1.5, 1e-300])
        try file.attributes.set("labels", ["a", "β", ""])

        try file.createDataset("types/f16", type: .float16, shape: [2, 4]).write(Self.halfValues)
        try file.createDataset("types/f32", type: .float32, shape: [2, 3]).write((0..<6).map { Float($0) * 0.25 - 1 })
        try file.createDataset("types/f64", type: .float64, shape: [3]).write([1.0 / 3.0, -1e300, .pi])
        try file.createDataset("types/i32", type: .int32, shape: [4]).write([.min, -1, 0, .max] as [Int32])
        try file.createDataset("types/i64", type: .int64, shape: [2, 2]).write([.min, -1, 0, .max] as [Int64])

        let p = try file.createDataset("stream/P", type: .float32, shape: [0, 2, 3], options: DatasetOptions(
            extendible: true, chunkShape: [1, 2, 3], deflateLevel: 6, shuffle: true))
        for s in 0..<3 {
            try p.append((0..<6).map { Float($0 + 100 * s) })
        }
        try p.attributes.set("units", "probability")
        try file.createGroup("spectrum/aggregate").attributes.set("count", Int64(3))
        // h5py's HDF5 locks the file: it must be closed here first.
        try file.close()

        let script = repositoryRoot.appendingPathComponent("scripts/check-h5py-interop.py").path
        let result = try runSubprocess(python, [script, path])
        XCTAssertEqual(result.status, 0, "h5py check failed:\n\(result.output)\(result.errors)")
        XCTAssertTrue(result.output.contains("h5py interop OK"), result.output)
    }
}
