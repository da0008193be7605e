import RunFormat

extension ReportFact {
    /// The report's line on local attention, from the run file's `attention_window`: which layers
    /// attend within a window, how wide it is and on which side, and that their banded P is analysed
    /// as it is. `nil` when every layer attends fully (or the file predates the attribute).
    ///
    /// For a bidirectional model (ModernBERT) a window w means keys `|i − j| ≤ w` (2w + 1 keys away
    /// from the ends); for a causal one (Mistral, Qwen2) keys `i − w < j ≤ i` (w keys, the query included).
    public static func attentionWindows(of m: RunMetadata) -> ReportFact? {
        guard let windows = m.attentionWindows, windows.contains(where: { $0 > 0 }) else { return nil }
        let widths = Set(windows.filter { $0 > 0 }).sorted()
        var parts: [String] = []
        for w in widths {
            let layers = windows.indices.filter { windows[$0] == w }
            let shape = m.causal
                ? "causal sliding window of \(w) keys (query i sees keys i − \(w - 1) … i)"
                : "symmetric sliding window: query i sees keys i − \(w) … i + \(w) (half-width \(w), \(2 * w + 1) keys)"
            parts.append("\(layerList(layers)) local, \(shape)")
        }
        let full = windows.indices.filter { windows[$0] < 0 }
        if !full.isEmpty { parts.append("\(layerList(full)) global (full \(m.causal ? "causal " : "")attention)") }
        parts.append("local layers' P is banded and analysed as it is")
        return ReportFact(key: "attention window", value: parts.joined(separator: "; "))
    }

    /// "layer 3" or "layers 1, 2, 5": numbered from 1 like the report's tables and CSVs (the run
    /// file's layer axis counts from 0).
    private static func layerList(_ layers: [Int]) -> String {
        (layers.count == 1 ? "layer " : "layers ") + layers.map { String($0 + 1) }.joined(separator: ", ")
    }
}
