import Foundation
import LinearAlgebra
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics

/// The fitted fixed projection (Gram sums, eigenbasis, held-out errors) and max pooling against the
/// NumPy references of `scripts/make-beyond-fixtures.py`.
final class FittedProjectionTests: XCTestCase {
    struct Fixture: Decodable {
        struct Head: Decodable { var p: [Float], q: [Float], k: [Float], v: [Float] }
        struct Statistics: Decodable { var mean: Double, median: Double, p95: Double, max: Double }
        struct Approximation: Decodable { var relative: Double, rowMean: Double, rowMax: Double }
        struct Result: Decodable { var fitted: [Statistics], fittedLinformer: [Approximation], maxPooling: [Approximation] }
        var n: Int, d: Int, dims: [Int]
        var trainP: [[Float]]
        var heldOut: [Head]
        var gramSum: [Double], eigenvalues: [Double], basis: [Double]
        var results: [Result]
    }

    func load() throws -> Fixture {
        let data = try Data(contentsOf: AnalysisFixtures.directory.appendingPathComponent("fitted-projection.json"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Fixture.self, from: data)
    }

    /// Adds the Gram of every given P (row-major float `[n, n]`) to `sums` at (0, 0).
    func add(_ matrices: [[Float]], n: Int, to sums: GramSums) throws {
        var wide = [Double](repeating: 0, count: n * n), gram = [Double](repeating: 0, count: n * n)
        for p in matrices {
            wide = p.map(Double.init)
            wide.withUnsafeBufferPointer { w in gram.withUnsafeMutableBufferPointer { BLAS.upperGram(ofRowMajorSquare: w.baseAddress!, order: n, into: $0.baseAddress!) } }
            try gram.withUnsafeBufferPointer { try sums.add(upperGram: $0.baseAddress!, layer: 0, head: 0) }
        }
    }

    func testGramSumEqualsNumPyAndDoesNotDependOnOrderOrSharding() throws {
        let f = try load()
        let sums = GramSums(layers: 1, heads: 1, order: f.n)
        try add(f.trainP, n: f.n, to: sums)
        XCTAssertEqual(sums.count, [Int64(f.trainP.count)])
        let g = sums.matrix(layer: 0, head: 0)
        for (got, want) in zip(g.storage, f.gramSum) { XCTAssertEqual(got, want, accuracy: 1e-14 * max(1, abs(want))) }

        // Reversed order, and two "shards" merged: the limbs are identical, not merely close.
        let reversed = GramSums(layers: 1, heads: 1, order: f.n)
        try add(f.trainP.reversed(), n: f.n, to: reversed)
        let first = GramSums(layers: 1, heads: 1, order: f.n), second = GramSums(layers: 1, heads: 1, order: f.n)
        try add(Array(f.trainP.prefix(2)), n: f.n, to: first)
        try add(Array(f.trainP.dropFirst(2)), n: f.n, to: second)
        try second.merge(first)
        for other in [reversed, second] {
            XCTAssertEqual(other.high, sums.high)
            XCTAssertEqual(other.low, sums.low)
            XCTAssertEqual(other.count, sums.count)
        }
        // Round trip through stored limbs, and refusal of a damaged limb.
        let stored = try GramSums(layers: 1, heads: 1, order: f.n, high: sums.high, low: sums.low, count: sums.count)
        XCTAssertEqual(stored.matrix(layer: 0, head: 0), g)
        var bad = sums.low
        bad[0] = -1
        XCTAssertThrowsError(try GramSums(layers: 1, heads: 1, order: f.n, high: sums.high, low: bad, count: sums.count))
        XCTAssertThrowsError(try GramSums(layers: 1, heads: 2, order: f.n, high: sums.high, low: sums.low, count: sums.count))
    }

    func testGramSumRefusesNonFiniteElements() throws {
        let sums = GramSums(layers: 1, heads: 1, order: 2)
        let g: [Double] = [1, 0, .nan, 1]
        XCTAssertThrowsError(try g.withUnsafeBufferPointer { try sums.add(upperGram: $0.baseAddress!, layer: 0, head: 0) })
        XCTAssertThrowsError(try [1.0, 0, 0, 1].withUnsafeBufferPointer { try sums.add(upperGram: $0.baseAddress!, layer: 1, head: 0) })
    }

    func testEigenbasisEqualsNumPyEigh() throws {
        let f = try load()
        let gram = try Matrix(rows: f.n, columns: f.n, storage: f.gramSum)
        let basis = try FittedProjection(projectionDimensions: f.dims, holdout: 5).fit(gram)
        XCTAssertEqual(basis.vectors.rows, f.dims.max())
        let top = f.eigenvalues[0]
        for (got, want) in zip(basis.values, f.eigenvalues) { XCTAssertEqual(got, want, accuracy: 1e-12 * top) }
        for (got, want) in zip(basis.vectors.storage, f.basis) { XCTAssertEqual(got, want, accuracy: 1e-8) }
        // Orthonormal rows.
        let product = try Matrix.multiply(basis.vectors, basis.vectors, transposeB: true)
        for i in 0..<product.rows { for j in 0..<product.columns { XCTAssertEqual(product[i, j], i == j ? 1 : 0, accuracy: 1e-12) } }
        XCTAssertThrowsError(try SymmetricEigenbasis(of: Matrix(rows: 2, columns: 3), count: 1))
        XCTAssertThrowsError(try SymmetricEigenbasis(of: gram, count: f.n + 1))
    }

    func testHeldOutErrorsEqualNumPy() throws {
        let f = try load()
        let fitted = FittedProjection(projectionDimensions: f.dims, holdout: 5)
        let basis = try fitted.fit(try Matrix(rows: f.n, columns: f.n, storage: f.gramSum))
        for (h, expected) in zip(f.heldOut, f.results) {
            let head = HeadTensors(p: h.p, q: h.q, k: h.k, v: h.v, n: f.n, d: f.d)
            let results = try fitted.evaluate(head: head, basis: basis)
            XCTAssertEqual(results.count, f.dims.count)
            for (index, k) in f.dims.enumerated() {
                let (got, want) = (results[index], expected.fitted[index])
                XCTAssertEqual(got.projection.mean, want.mean, accuracy: 1e-9, "k = \(k)")
                XCTAssertEqual(got.projection.median, want.median, accuracy: 1e-9, "k = \(k)")
                XCTAssertEqual(got.projection.p95, want.p95, accuracy: 1e-9, "k = \(k)")
                XCTAssertEqual(got.projection.max, want.max, accuracy: 1e-9, "k = \(k)")
                let linformer = expected.fittedLinformer[index]
                XCTAssertEqual(got.linformer.relative, linformer.relative, accuracy: 1e-9, "k = \(k)")
                XCTAssertEqual(got.linformer.rowMean, linformer.rowMean, accuracy: 1e-9, "k = \(k)")
                XCTAssertEqual(got.linformer.rowMax, linformer.rowMax, accuracy: 1e-9, "k = \(k)")
            }
            // k = n: Π = I, so the projection is exact.
            XCTAssertLessThan(results[f.dims.count - 1].projection.max, 1e-12)

            let checker = ProjectionChecker(sequenceLength: f.n, projectionDimensions: f.dims, epsilons: [0.1], delta: 0.1, trials: 1)
            let checked = try checker.check(head: head, draws: checker.draws(seed: 1, window: 0))
            for (index, k) in f.dims.enumerated() {
                let want = expected.maxPooling[index]
                XCTAssertEqual(checked[index].maxPooling.relative, want.relative, accuracy: 1e-9, "max pooling, k = \(k)")
                XCTAssertEqual(checked[index].maxPooling.rowMean, want.rowMean, accuracy: 1e-9, "max pooling, k = \(k)")
                XCTAssertEqual(checked[index].maxPooling.rowMax, want.rowMax, accuracy: 1e-9, "max pooling, k = \(k)")
            }
        }
    }

    func testHeldOutWindowsAreEveryHoldoutThOne() {
        let fitted = FittedProjection(projectionDimensions: [4], holdout: 5)
        XCTAssertEqual((0..<12).filter(fitted.isHeldOut(window:)), [4, 9])
        XCTAssertThrowsError(try fitted.evaluate(head: TestHeads.random(n: 6, d: 2, seed: 1),
                                                 basis: SymmetricEigenbasis(of: .identity(6), count: 2)))
    }
}

/// The up-front memory guard of the fitted projection's Gram sums.
final class FittedProjectionMemoryTests: XCTestCase {
    func testHugeGramSumsAreRefusedWithTheWayOut() throws {
        let configuration = try ModelConfiguration(contentsOf: AnalysisFixtures.tinyRoberta.appendingPathComponent("config.json"))
        var options = AnalysisOptions()
        options.sequenceLength = 512
        XCTAssertNoThrow(try Analysis.checkFittedProjectionMemory(configuration: configuration, options: options))
        // 2 layers × 4 heads × 20000·20001/2 × 16 bytes ≈ 23.8 GiB.
        options.sequenceLength = 20_000
        XCTAssertThrowsError(try Analysis.checkFittedProjectionMemory(configuration: configuration, options: options)) { error in
            XCTAssertTrue("\(error)".contains("set `AnalysisOptions.holdout` to 0"), "\(error)")
            XCTAssertTrue((error as? AnalysisError)?.commandLineDescription.contains("set --holdout to 0") == true, "\(error)")
            XCTAssertTrue("\(error)".contains("23.8 GiB"), "\(error)")
        }
        options.holdout = 0
        XCTAssertNoThrow(try Analysis.checkFittedProjectionMemory(configuration: configuration, options: options))
    }
}
