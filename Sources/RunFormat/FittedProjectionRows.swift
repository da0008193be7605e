import Foundation

/// The fitted fixed projection's results as a run file stores them (docs/FORMAT.md): the fit's
/// eigenvalues and, per held-out window in file order, the error statistics of every (layer, head, k).
public struct FittedProjectionRows: Sendable, Equatable {
    /// `[S_test]` window indices of the held-out windows, in file order.
    public var windowIndex: [Int64] = []
    /// `[S_test, L, H, K]` per statistic, keyed by its path under `/projection` (``statistics``).
    public var values: [String: [Double]] = [:]
    /// `[L, H, k_max]` eigenvalues of the Gram sums, largest first.
    public var eigenvalues: [Double] = []

    /// Names of the `[S_test, L, H, K]` datasets under `/projection`, in file order (causal runs
    /// store only the first four: the Linformer form mixes future positions in).
    public static let statistics = ["fitted/mean", "fitted/median", "fitted/p95", "fitted/max",
                                    "fitted_linformer/relative", "fitted_linformer/row_mean", "fitted_linformer/row_max"]

    /// No rows yet.
    public init() {}
}
