import CHDF5
import Foundation
import XCTest
@testable import HDF5Store

/// Identifiers must be released on success and on every error path, and concurrent use from
/// several threads must be safe (the module serialises HDF5 calls).
final class ResourceTests: XCTestCase {
    /// Identifiers held by this module's handles, and file-bound identifiers (files, groups,
    /// datasets, attributes, named datatypes) as HDF5 counts them.
    private func openIdentifiers() -> [Int] {
        [withHDF5 { Handle.openCount }, H5Fget_obj_count(hid_t(chdf5_f_obj_all()), chdf5_f_obj_all())]
    }

    func testNoIdentifierLeaksOnSuccessOrErrorPaths() throws {
        let directory = try temporaryDirectory(self)
        let path = directory.appendingPathComponent("leaks.h5").path
        let text = directory.appendingPathComponent("text.h5").path
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: text))
        do { _ = try File.create(directory.appendingPathComponent("warmup.h5").path) }
        let before = openIdentifiers()
        do {
            let file = try File.create(path)
            let dataset = try file.createDataset("g/d", type: .float16, shape: [0, 3],
                                                 options: DatasetOptions(extendible: true, deflateLevel: 1))
            try dataset.append([1, 2, 3] as [Float])
            try dataset.attributes.set("names", ["a", "b"])
            _ = try dataset.attributes.stringArray("names")
            _ = try file.openDataset("g/d").read(as: Float.self)
            _ = try file.children()
            _ = try file.attributes.names()
            // Error paths.
            XCTAssertThrowsError(try File.open(text))
            XCTAssertThrowsError(try File.create(path))
            XCTAssertThrowsError(try file.openDataset("missing"))
            XCTAssertThrowsError(try dataset.read(as: Int64.self))
            XCTAssertThrowsError(try dataset.write([1, 2] as [Float], start: [0, 0], count: [2, 1]))
            XCTAssertThrowsError(try file.createDataset("bad", type: .int32, shape: [2], options:
                DatasetOptions(chunkShape: [3])))
            XCTAssertThrowsError(try file.attributes.int64("absent"))
            XCTAssertThrowsError(try dataset.attributes.int64("names"))
            try file.close()
            // HDF5-level failures (negative returns) inside a read-only file.
            let readOnly = try File.open(path)
            let stored = try readOnly.openDataset("g/d")
            XCTAssertThrowsError(try stored.write([4, 5, 6] as [Float], at: 0))
            XCTAssertThrowsError(try stored.append([4, 5, 6] as [Float]))
            XCTAssertThrowsError(try stored.attributes.set("x", Int64(1)))
            XCTAssertThrowsError(try readOnly.createGroup("new"))
        }
        XCTAssertEqual(openIdentifiers(), before)
    }

    func testConcurrentWritersOnSeparateFiles() throws {
        let directory = try temporaryDirectory(self)
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let path = directory.appendingPathComponent("worker-\(worker).h5").path
                let file = try File.create(path)
                let dataset = try file.createDataset("x", type: .int64, shape: [0, 16],
                                                     options: DatasetOptions(extendible: true))
                for row in 0..<50 {
                    try dataset.append((0..<16).map { Int64(worker * 100_000 + row * 16 + $0) })
                    try file.attributes.set("rows", Int64(row + 1))
                }
                try file.close()
                let values = try File.open(path).openDataset("x").read(as: Int64.self)
                if values != (0..<800).map({ Int64(worker * 100_000 + $0) }) {
                    failures.add("worker \(worker): wrong values")
                }
            } catch {
                failures.add("worker \(worker): \(error)")
            }
        }
        XCTAssertEqual(failures.messages, [])
    }
}

/// Collects messages from several threads.
private final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ message: String) { lock.lock(); stored.append(message); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
