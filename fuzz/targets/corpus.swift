import Foundation
import SpectrumAnalysis

/// Fuzzes corpus decoding. The first byte picks the reader (`.txt`, `.txt.gz`, `.jsonl`,
/// `.jsonl.gz`); the rest is the file. Accepted corpora must hold only non-empty, trimmed lines whose
/// byte ranges lie inside the decompressed stream.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCorpus(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let names = ["corpus.txt", "corpus.txt.gz", "corpus.jsonl", "corpus.jsonl.gz"]
    let url = FuzzScratch.write(data + 1, size - 1, name: names[Int(data[0]) % names.count])
    guard let corpus = try? Corpus(contentsOf: url) else { return 0 }
    for line in corpus.lines where line.text.isEmpty || line.byteOffset < 0
        || line.byteOffset + line.byteLength > corpus.byteCount {
        FileHandle.standardError.write(Data("fuzz: bad line \(line) in a corpus of \(corpus.byteCount) bytes\n".utf8))
        abort()
    }
    return 0
}
