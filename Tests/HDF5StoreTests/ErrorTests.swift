import XCTest
@testable import HDF5Store

/// Failures must surface as thrown `HDF5Error`s that name the file and object and keep HDF5's text.
final class ErrorTests: XCTestCase {
    func testOpeningANonHDF5FileThrowsHDF5sMessageAndThePath() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("not-hdf5.h5").path
        try Data("this is plain text, not HDF5\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try File.open(path)) { error in
            guard case .library(let operation, let file, _, let stack)? = error as? HDF5Error else {
                return XCTFail("expected HDF5Error.library, got \(error)")
            }
            XCTAssertEqual(operation, "H5Fopen")
            XCTAssertEqual(file, path)
            // HDF5's own wording from the error stack, not ours.
            XCTAssertTrue(stack.contains("file signature not found"), stack)
            let message = String(describing: error)
            XCTAssertTrue(message.contains(path), message)
            XCTAssertTrue(message.contains("file signature not found"), message)
        }
    }

    func testOpeningAMissingFileThrows() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("absent.h5").path
        XCTAssertThrowsError(try File.open(path)) { error in
            XCTAssertTrue(String(describing: error).contains(path), "\(error)")
            XCTAssertTrue(String(describing: error).contains("unable to open file"), "\(error)")
        }
    }

    func testCreateRefusesToClobberUnlessOverwrite() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("run.h5").path
        do {
            let file = try File.create(path)
            try file.attributes.set("generation", Int64(1))
        }
        XCTAssertThrowsError(try File.create(path)) { error in
            XCTAssertEqual(error as? HDF5Error, .fileExists(file: path))
        }
        XCTAssertEqual(try File.open(path).attributes.int64("generation"), 1, "refused create must not touch the file")
        do {
            let file = try File.create(path, overwrite: true)
            XCTAssertEqual(try file.attributes.names(), [])
        }
    }

    func testReadingAMissingDatasetNamesIt() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("empty.h5").path
        let file = try File.create(path)
        XCTAssertThrowsError(try file.openDataset("/spectrum/sigma")) { error in
            XCTAssertEqual(error as? HDF5Error, .notFound(kind: "dataset", file: path, object: "/spectrum/sigma"))
            XCTAssertTrue(String(describing: error).contains("/spectrum/sigma"))
        }
        XCTAssertThrowsError(try file.attributes.string("model")) { error in
            XCTAssertEqual(error as? HDF5Error, .notFound(kind: "attribute", file: path, object: "/@model"))
        }
    }

    func testTypeMismatchAndReadOnlyWritesThrow() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("typed.h5").path
        do {
            let dataset = try File.create(path).createDataset("d", type: .float64, shape: [2])
            try dataset.write([1, 2] as [Double])
            XCTAssertThrowsError(try dataset.write([1, 2] as [Float])) { error in
                guard case .typeMismatch? = error as? HDF5Error else { return XCTFail("\(error)") }
            }
            XCTAssertThrowsError(try dataset.read(as: Int64.self))
            XCTAssertThrowsError(try File.create(path).createDataset("bad", type: .float32, shape: [4],
                                                                     options: DatasetOptions(deflateLevel: 10)))
        }
        let readOnly = try File.open(path)
        XCTAssertThrowsError(try readOnly.openDataset("d").write([3, 4] as [Double])) { error in
            guard case .library(let operation, _, let object, let stack)? = error as? HDF5Error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(operation, "H5Dwrite")
            XCTAssertEqual(object, "/d")
            XCTAssertFalse(stack.isEmpty)
        }
    }
}
