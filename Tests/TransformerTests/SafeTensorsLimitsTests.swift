import Foundation
import XCTest
@testable import Transformer

/// Absurd sizes in a safetensors header are refused with a message, before anything is allocated.
final class SafeTensorsLimitsTests: XCTestCase {
    func testHeaderClaimingATrillionElementsIsRefused() throws {
        let directory = try TemporaryDirectory()
        let header = #"{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}}"#
        let url = try directory.write(SafeTensorsWriter.raw(header: header, body: Data(count: 16)), to: "huge.safetensors")
        XCTAssertThrowsError(try SafeTensors(contentsOf: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("huge.safetensors") && message.contains("'w'"), message)
            XCTAssertTrue(message.contains("4000000000000 bytes"), message)
        }
    }

    func testShapeWhoseByteCountOverflowsIsRefused() throws {
        let directory = try TemporaryDirectory()
        let header = #"{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
        let url = try directory.write(SafeTensorsWriter.raw(header: header, body: Data(count: 8)), to: "overflow.safetensors")
        XCTAssertThrowsError(try SafeTensors(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("overflows"), "\(error)")
        }
    }

    func testHeaderLengthOfAnExabyteIsRefused() throws {
        let directory = try TemporaryDirectory()
        let data = SafeTensorsWriter.raw(header: "{}", body: Data(), declaredLength: 1 << 60)
        let url = try directory.write(data, to: "length.safetensors")
        XCTAssertThrowsError(try SafeTensors(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("exceeds the 100000000-byte cap"), "\(error)")
        }
    }

    func testConfigurationWithAbsurdSizesIsRefused() throws {
        let directory = try TemporaryDirectory()
        let json = #"{"model_type":"bert","hidden_size":768,"num_attention_heads":0}"#
        let url = try directory.write(Data(json.utf8), to: "config.json")
        XCTAssertThrowsError(try ModelConfiguration(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("num_attention_heads must be positive"), "\(error)")
        }
    }
}
