import Foundation

extension RunFile {
    /// The recommendation for this run file: mean curves from the spectrum aggregate and, with an
    /// error target, the median over held-out windows of `/projection/fitted/median`.
    public func recommendation(energy: Double, error: Double? = nil) throws(AnalysisError) -> KRecommendation {
        let m = metadata
        let (L, H, n) = (m.layers, m.heads, m.sequenceLength)
        guard m.spectra else { throw .runFile(path: url.path, reason: "holds no spectra (an extract file); run `spectrum-analyze svd` first") }
        let aggregate = try self.aggregate()
        var curves = [Double](repeating: .nan, count: L * H * n)
        for layer in 0..<L {
            for head in 0..<H {
                for j in 1...n { curves[(layer * H + head) * n + j - 1] = aggregate.mean(layer: layer, head: head, j: j) }
            }
        }
        var fitted: (projectionDimensions: [Int], errors: [Double])?
        if error != nil {
            guard !m.fitPending else {
                throw .runFile(path: url.path, reason: m.shard.count > 1
                    ? "is shard \(m.shard): its fitted projection needs every shard; merge the shards, fit the merged file (\(Remedy.fit.marker)) and ask it for \(Remedy.error.marker)"
                    : "its fitted projection is pending (merged shards): fit it (\(Remedy.fit.marker)) before asking for \(Remedy.error.marker)")
            }
            guard let projection = m.projection, try contains("projection/fitted/median") else {
                throw .runFile(path: url.path, reason: "has no fitted projection (/projection/fitted/median); \(Remedy.error.marker) needs a run with projections on")
            }
            let K = projection.projectionDimensions.count
            let values: [Double] = try read("projection/fitted/median")
            guard K > 0, values.count % (L * H * K) == 0, !values.isEmpty else {
                throw .runFile(path: url.path, reason: "/projection/fitted/median holds \(values.count) values, not a multiple of [\(L), \(H), \(K)]")
            }
            let rows = values.count / (L * H * K)
            let size = L * H * K
            var errors = [Double](repeating: .nan, count: size)
            for slot in 0..<size {
                var column: [Double] = []
                for row in 0..<rows where !values[row * size + slot].isNaN { column.append(values[row * size + slot]) }
                errors[slot] = RunSummary.median(column)
            }
            fitted = (projection.projectionDimensions, errors)
        }
        return try KRecommendation(layers: L, heads: H, n: n, meanCumulative: curves, energy: energy, fitted: fitted,
                                   error: error, errorStatistic: "median over held-out windows of /projection/fitted/median")
    }
}
