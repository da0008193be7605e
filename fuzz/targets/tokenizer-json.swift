import Foundation
import Tokenizers

/// Fuzzes `tokenizer.json` loading (every component factory), then encodes a few fixed strings
/// with whatever tokenizer was accepted: ids must lie in the vocabulary.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizerJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let tokenizer = try? Tokenizer(data: bytes, source: "fuzz/tokenizer.json") else { return 0 }
    for text in ["Hello, world!", "  héllo\tWORLD 123 ünïcödé 日本語 🤗 ", "", "<s>a</s>[CLS]"] {
        _ = tokenizer.encode(text)
        _ = tokenizer.encode(text, addSpecialTokens: false)
    }
    return 0
}
