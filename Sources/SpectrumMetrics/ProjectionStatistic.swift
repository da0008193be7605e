/// The `[L, H, K]` statistics of the projection checks, one per run-file dataset
/// `/projection/<rawValue>`, in file order (see docs/FORMAT.md).
public enum ProjectionStatistic: String, CaseIterable, Sendable, Hashable {
    case theorem1Mean = "theorem1/mean", theorem1Median = "theorem1/median"
    case theorem1P95 = "theorem1/p95", theorem1Max = "theorem1/max"
    case svdOptimalMean = "svd_optimal/mean", svdOptimalMedian = "svd_optimal/median"
    case svdOptimalP95 = "svd_optimal/p95", svdOptimalMax = "svd_optimal/max"
    case theorem2Relative = "theorem2/relative", theorem2RowMean = "theorem2/row_mean", theorem2RowMax = "theorem2/row_max"
    case poolingRelative = "pooling/relative", poolingRowMean = "pooling/row_mean", poolingRowMax = "pooling/row_max"
    case maxPoolingRelative = "max_pooling/relative", maxPoolingRowMean = "max_pooling/row_mean"
    case maxPoolingRowMax = "max_pooling/row_max"

    /// The value of this statistic in one head's result at one k.
    public func value(in result: HeadProjectionResult) -> Double {
        switch self {
        case .theorem1Mean: return result.theorem1.mean
        case .theorem1Median: return result.theorem1.median
        case .theorem1P95: return result.theorem1.p95
        case .theorem1Max: return result.theorem1.max
        case .svdOptimalMean: return result.svdOptimal.mean
        case .svdOptimalMedian: return result.svdOptimal.median
        case .svdOptimalP95: return result.svdOptimal.p95
        case .svdOptimalMax: return result.svdOptimal.max
        case .theorem2Relative: return result.theorem2.relative
        case .theorem2RowMean: return result.theorem2.rowMean
        case .theorem2RowMax: return result.theorem2.rowMax
        case .poolingRelative: return result.pooling.relative
        case .poolingRowMean: return result.pooling.rowMean
        case .poolingRowMax: return result.pooling.rowMax
        case .maxPoolingRelative: return result.maxPooling.relative
        case .maxPoolingRowMean: return result.maxPooling.rowMean
        case .maxPoolingRowMax: return result.maxPooling.rowMax
        }
    }
}
