import Foundation
import SpectrumAnalysis

extension Session {
    /// 2b. Decoder forward with P captured on random-weight GPT-2-small and Llama-style (12 × 768,
    /// GQA 12:4) checkpoints made by `make-bench-decoders.py`, n = `--seq-len`, threads 1 and 2,
    /// Swift vs PyTorch eager. The ids are a fixed pseudo-random sequence (no tokenizer needed).
    func decoderForward(into results: inout Results) throws {
        log("decoder checkpoints")
        let (_, folders) = try ChildProcess.json([bench.python, script("make-bench-decoders.py"), "\(bench.work)/decoders"])
        for name in ["gpt2-small", "llama-768"] {
            guard let folder = folders[name] as? String else {
                throw BenchError.output("make-bench-decoders.py", "no folder for \(name)")
            }
            let decoder = try CausalDecoder(directory: URL(fileURLWithPath: folder))
            let vocabulary = decoder.decoderConfiguration.vocabularySize
            let n = min(bench.sequenceLength, decoder.decoderConfiguration.maxPositionEmbeddings)
            // A linear congruential sequence: the same ids on every run, spread over the vocabulary.
            var state: UInt64 = 20_260_101
            let ids: [Int32] = (0..<n).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int32((state >> 33) % UInt64(vocabulary))
            }
            let idsPath = "\(bench.work)/decoder-ids-\(name)-\(n).json"
            try JSONSerialization.data(withJSONObject: ids.map { Int($0) }).write(to: URL(fileURLWithPath: idsPath))
            for threads in [1, 2] {
                log("decoder forward \(name), \(threads) thread(s)")
                var swiftSamples: [Double] = [], pySamples: [Double] = []
                for _ in 0..<bench.rounds {
                    _ = try decoder.forward(inputIds: ids, capture: .probabilities, threads: threads) { _ in }
                    for _ in 0..<3 {
                        swiftSamples.append(try timed { _ = try decoder.forward(inputIds: ids, capture: .probabilities, threads: threads) { _ in } }.1)
                    }
                    let (_, py) = try ChildProcess.json([bench.python, script("bench-forward-python.py"), "--model", folder,
                                                         "--ids", idsPath, "--threads", "\(threads)", "--repeats", "3", "--warmup", "1"])
                    pySamples.append(try py.number("seconds_per_forward", from: "bench-forward-python.py"))
                }
                results.compare("2b decoder forward", "\(name), n=\(n), capture P, \(threads) thread(s)", unit: "ms",
                                swift: median(swiftSamples) * 1e3, python: median(pySamples) * 1e3, higherIsBetter: false, target: 1,
                                note: threads == 1 ? "random weights; Swift: median of \(swiftSamples.count) passes; PyTorch: median of \(pySamples.count) per-round medians of 3" : nil)
                results.samples["decoder_forward_\(name)_swift_s_threads\(threads)"] = swiftSamples
                results.samples["decoder_forward_\(name)_torch_s_threads\(threads)"] = pySamples
            }
        }
    }
}
