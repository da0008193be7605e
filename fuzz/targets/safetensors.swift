import Foundation
import Transformer

/// Fuzzes the safetensors reader: length prefix, JSON header validation, then the conversion of
/// every tensor the header accepts (the bytes of an accepted entry must lie inside the mapping).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let url = FuzzScratch.write(data, size, name: "model.safetensors")
    guard let file = try? SafeTensors(contentsOf: url) else { return 0 }
    for name in file.tensorNames {
        guard let entry = file.entry(name) else { continue }
        if let values = try? file.floats(name), values.count != entry.elementCount {
            FileHandle.standardError.write(Data("fuzz: \(name) gave \(values.count) floats for shape \(entry.shape)\n".utf8))
            abort()
        }
    }
    return 0
}
