import Foundation
import HDF5Store
import XCTest

/// Reads whose size comes from the file are checked before a buffer is allocated (found by
/// fuzzing run files: a corrupt extent of 4.5·10¹⁵ elements aborted the process).
final class ReadLimitsTests: XCTestCase {
    func testAReadBeyondTheLimitIsRefusedBeforeAllocating() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 2⁴⁰ doubles (8 TiB) claimed by a chunked dataset whose chunks were never written: a tiny file.
        do {
            let file = try File.create(path)
            _ = try file.createDataset("huge", type: .float64, shape: [1 << 40],
                                       options: DatasetOptions(chunkShape: [1024]))
        }
        let file = try File.open(path)
        let dataset = try file.openDataset("huge")
        XCTAssertEqual(try dataset.shape, [1 << 40])
        XCTAssertThrowsError(try dataset.read(as: Double.self)) { error in
            XCTAssertTrue("\(error)".contains("read limit"), "\(error)")
        }
        // A small slice of the same dataset still reads (fill value 0).
        XCTAssertEqual(try dataset.read(start: [5], count: [3], as: Double.self), [0, 0, 0])
    }

    func testSelectionsThatOverflowAreErrorsNotTraps() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try File.create(path)
        let dataset = try file.createDataset("small", type: .float64, shape: [4])
        XCTAssertThrowsError(try dataset.read(start: [Int.max], count: [Int.max], as: Double.self))
        XCTAssertThrowsError(try dataset.read(start: [1], count: [Int.max], as: Double.self))
    }
}
