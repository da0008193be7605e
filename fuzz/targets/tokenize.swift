import Foundation
import Tokenizers

/// Fuzzes the encoding of arbitrary bytes (not necessarily UTF-8) with the two real tokenizers:
/// WordPiece (all-MiniLM-L6-v2) and byte-level BPE (the tiny RoBERTa fixture), plus every file in
/// the colon-separated `FUZZ_EXTRA_TOKENIZERS` (the family fixtures: regex splits, SentencePiece
/// BPE, Unigram, Precompiled). Every id must be a token of the vocabulary, and encoding must not
/// crash on any input.
private let tokenizers: [Tokenizer] = {
    let env = ProcessInfo.processInfo.environment
    var paths = [env["FUZZ_WORDPIECE_TOKENIZER"], env["FUZZ_BPE_TOKENIZER"]].compactMap { $0 }
    guard paths.count == 2 else {
        FileHandle.standardError.write(Data("fuzz: set FUZZ_WORDPIECE_TOKENIZER and FUZZ_BPE_TOKENIZER\n".utf8))
        exit(2)
    }
    paths += (env["FUZZ_EXTRA_TOKENIZERS"] ?? "").split(separator: ":").map(String.init)
    return paths.map { path in
        do { return try Tokenizer(contentsOf: URL(fileURLWithPath: path)) } catch {
            FileHandle.standardError.write(Data("fuzz: \(error)\n".utf8))
            exit(2)
        }
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenize(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for tokenizer in tokenizers {
        let ids = tokenizer.encode(utf8: bytes)
        if let bad = ids.first(where: { tokenizer.token(forId: $0) == nil }) {
            FileHandle.standardError.write(Data("fuzz: id \(bad) is not in the vocabulary of \(tokenizer.source)\n".utf8))
            abort()
        }
    }
    return 0
}
