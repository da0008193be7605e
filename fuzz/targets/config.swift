import Foundation
import Transformer

/// Fuzzes `config.json` decoding and validation. An accepted configuration must describe a model the
/// encoder can size without overflow or division by zero.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let url = FuzzScratch.write(data, size, name: "config.json")
    guard let configuration = try? ModelConfiguration(contentsOf: url) else { return 0 }
    if configuration.headDimension * configuration.headCount != configuration.hiddenSize
        || configuration.maxSequenceLength < 0 {
        FileHandle.standardError.write(Data("fuzz: inconsistent accepted configuration \(configuration)\n".utf8))
        abort()
    }
    return 0
}
