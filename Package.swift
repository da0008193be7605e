// swift-tools-version:6.0
import PackageDescription

/// Low-rank spectrum toolkit: how low-rank is the attention matrix P of a real Transformer?
/// Targets are grouped as C shims, libraries, tools and tests; docs/ARCHITECTURE.md draws the
/// modules and their dependencies.
let package = Package(
    name: "SpectrumToolkit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SpectrumAnalysis", targets: ["SpectrumAnalysis"]),
        .library(name: "RunFormat", targets: ["RunFormat"]),
        .library(name: "SpectrumReport", targets: ["SpectrumReport"]),
        .executable(name: "spectrum-analyze", targets: ["spectrum-analyze"]),
        .executable(name: "spectrum-report", targets: ["spectrum-report"]),
        .executable(name: "spectrum-bench", targets: ["spectrum-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: C shims (system libraries found through pkg-config)
        .systemLibrary(
            name: "CLinearAlgebra",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),

        // MARK: Libraries
        .target(name: "LinearAlgebra", dependencies: ["CLinearAlgebra"]),
        .target(name: "HDF5Store", dependencies: ["CHDF5"]),
        .target(name: "Tokenizers"),
        .target(name: "Transformer", dependencies: ["LinearAlgebra"]),
        // Reading .txt/.gz/.jsonl/folder corpora, packing them into windows, hashing.
        .target(name: "Corpus", dependencies: ["Tokenizers", "CZlib", "CCrypto"]),
        // Per-head spectra and metrics, aggregates, projection checks and theory, statistics, seeded RNG.
        .target(name: "SpectrumMetrics", dependencies: ["LinearAlgebra"]),
        // The run file: schema, reader, writer, journal, merge, output safety.
        .target(name: "RunFormat", dependencies: ["HDF5Store", "SpectrumMetrics", "CZlib"]),
        // The pipeline (corpus → encoder → metrics → run file) and the umbrella re-exports.
        .target(
            name: "SpectrumAnalysis",
            dependencies: ["LinearAlgebra", "HDF5Store", "Tokenizers", "Transformer", "Corpus", "SpectrumMetrics", "RunFormat"]
        ),
        .target(name: "SpectrumReport", dependencies: ["RunFormat", "SpectrumMetrics"]),

        // MARK: Tools (thin: parsing, progress, printing)
        .executableTarget(
            name: "spectrum-analyze",
            dependencies: [
                "SpectrumAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "spectrum-report",
            dependencies: [
                "SpectrumReport", "RunFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "spectrum-bench",
            dependencies: [
                "SpectrumAnalysis",
                // The LAPACK bound is timed with direct CBLAS/LAPACKE calls.
                "CLinearAlgebra",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        // Paths, fixtures and assertions shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "HDF5StoreTests", dependencies: ["HDF5Store", "CHDF5", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"]),
        .testTarget(name: "TransformerTests", dependencies: ["Transformer", "Tokenizers", "TestSupport"]),
        .testTarget(name: "SpectrumAnalysisTests", dependencies: ["SpectrumAnalysis", "TestSupport"]),
        .testTarget(name: "SpectrumReportTests", dependencies: ["SpectrumReport", "TestSupport"]),
        // Runs the built executables end to end.
        .testTarget(name: "CLITests", dependencies: ["SpectrumAnalysis", "SpectrumReport", "TestSupport"]),
    ]
)
