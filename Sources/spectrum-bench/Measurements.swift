/// The numbers the final summary is built from, filled by the peers, bound and e2e sections.

/// One Python peer (forward + all L·H spectra per window) at one torch thread count.
struct PeerMeasurement: Codable {
    /// Key in the Python script's output: scipy_f32, torch_f32 or torch_gram_f64.
    var key: String
    /// Threads torch ran with (scipy's OpenBLAS: 1).
    var threads: Int
    /// Loop wall seconds per sequence: forward + this peer's spectra (no imports, load or tokenize).
    var secondsPerSequence: Double
    /// Of which the spectra.
    var spectraPerSequence: Double
    /// Of which the forward (shared by the peers of one process).
    var forwardPerSequence: Double
    /// Process CPU seconds / wall / cores over the peer's loop.
    var cpuUtilisation: Double
    /// max over heads of max_i |σ_peer,i − σ_dgesdd,i| / σ_dgesdd,1 on the same float32 P; nil when not measured.
    var maxRelativeError: Double?
    /// Peak RSS of the whole Python process that ran it (all peers of that thread count), MiB.
    var processPeakRSSMiB: Double

    /// The label used in tables.
    var label: String {
        switch key {
        case "scipy_f32": return "(a) transformers + scipy svdvals f32 per head"
        case "torch_f32": return "(b) transformers + torch svdvals f32 batched"
        case "torch_gram_f64": return "(c) transformers + torch eigvalsh(PPᵀ) f64 batched"
        default: return key
        }
    }
}

/// One whole `spectrum-analyze run` configuration, medians over its rounds.
struct ToolkitMeasurement: Codable {
    /// "spectrum-only" (`--no-projection`) or "default" (projections on).
    var job: String
    /// `--threads` of the run.
    var threads: Int
    /// Sequences per run.
    var sequences: Int
    /// Median process wall seconds / sequences (process start, model load and SHA-256 included).
    var secondsPerSequence: Double
    /// Median (user + sys CPU) / wall / cores of the process.
    var cpuUtilisation: Double
    /// Largest peak RSS over the rounds, MiB.
    var peakRSSMiB: Double
    /// Every round's wall seconds.
    var wallSamples: [Double]
    /// max |σ_run − σ_dgesdd(P_toolkit)| / σ₁ over every head of every window; nil when not measured.
    var maxRelativeError: Double?
}

/// The LAPACK bound on the project's real heads (one thread, column-major, no conversions timed).
struct BoundMeasurement: Codable {
    /// Cores the bound divides by (the toolkit's default --threads).
    var cores: Int
    /// Windows and rounds the per-sequence sums are medians over.
    var windows: Int
    var rounds: Int
    /// Heads per sequence (L·H).
    var heads: Int
    /// Median milliseconds per head of each routine (dsyrk, dsytrd, dsterf, dstedc(I), dormtr, dgemm, dsyevd(N)).
    var perHeadMs: [String: Double]
    /// Median CPU seconds per sequence of the σ route (Σ over heads of dsyrk + dsytrd + dsterf).
    var spectrumSeconds: Double
    /// Median CPU seconds per sequence of the floor's extra work (Σ of dstedc(I) + dormtr + dgemm).
    var floorSeconds: Double
    /// Median seconds per sequence of the toolkit's ``HeadSpectralKernel/spectrum(of:into:)`` on the same heads.
    var kernelSeconds: Double
    /// Toolkit forward per sequence on one thread, P captured (and with Q, K, V captured, the default job's).
    var forwardSeconds: Double
    var forwardQKVSeconds: Double
    /// (spectrumSeconds + forwardSeconds) / cores.
    var spectrumBound: Double
    /// (spectrumSeconds + floorSeconds + forwardQKVSeconds) / cores.
    var defaultBound: Double
    /// max |σ_bound − σ_toolkit kernel| / σ₁ over the timed heads (0: the bound times the toolkit's own calls).
    var differenceFromKernel: Double
}

/// A ratio of the summary, with its target when the issue sets one.
struct Ratio: Codable {
    var name: String
    var value: Double
    /// e.g. "≥ 2.5×"; nil for information only.
    var target: String?
    var met: Bool?
    /// How it is computed.
    var formula: String
}
