import Foundation

/// Freshly initialised weights for the untrained control: the same architecture, tensor names and
/// shapes as a trained checkpoint, with values drawn as Hugging Face `transformers` initialises a
/// model (`PreTrainedModel._init_weights`):
///
/// - norms (LayerNorm, RMSNorm: a module name containing `norm`, or GPT-2's `ln_*`): weight 1, bias 0;
/// - every other bias: 0;
/// - every other weight (linear maps, embeddings, GPT-2's Conv1D): N(0, σ²) with σ =
///   `initializer_range` from config.json (0.02 when absent); GPT-2's residual projections
///   (`attn.c_proj`, `mlp.c_proj`) use σ / √(2 · n_layer) as its `_init_weights` does;
/// - the row `pad_token_id` of an embedding built with `padding_idx` (BERT/RoBERTa word embeddings,
///   RoBERTa position embeddings, Llama-style `embed_tokens`) is 0;
/// - ModernBERT draws its linear and embedding weights from a normal truncated at ±c·σ (c =
///   `initializer_cutoff_factor`, 2 when absent, 3 when null), with σ / √(2 · L) for the output
///   projections (`attn.Wo`, `mlp.Wo`, `head.dense`, `decoder`), and keeps no zero padding row
///   (its truncated draw overwrites the whole table).
///
/// Non-float tensors (buffers such as `position_ids`) and GPT-2's attention-mask buffers are left out:
/// no model here reads them. The result is written as an ordinary F32 `model.safetensors` in a fresh
/// folder next to a copy of `config.json` (its `torch_dtype`/`dtype` set to float32), so the model
/// loads it through its normal path. Values are
/// a pure function of the seed: tensors are visited in name order, each from its own derived stream.
public enum RandomInitialization {
    /// What one tensor is initialised to.
    public enum Rule: Equatable, Sendable {
        case zeros, ones
        /// N(0, σ²), with row `zeroRow` (a padding index) set to 0.
        case normal(standardDeviation: Double, zeroRow: Int?)
        /// N(0, σ²) conditioned on |x| ≤ cutoff · σ (rejection sampling), as `trunc_normal_`.
        case truncatedNormal(standardDeviation: Double, cutoff: Double)
    }

    /// The settings of config.json the rules need.
    public struct Settings: Sendable, Equatable {
        public var modelType: String
        public var initializerRange: Double
        public var padTokenId: Int?
        public var layerCount: Int
        /// `initializer_cutoff_factor` (ModernBERT): 2 when absent, 3 when null.
        public var cutoffFactor: Double

        /// Reads `model_type`, `initializer_range`, `pad_token_id` and the layer count from config.json.
        public init(contentsOf url: URL) throws(TransformerError) {
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
            } catch {
                throw .cannotRead(file: url.path, reason: error.localizedDescription)
            }
            guard let json = object as? [String: Any], let type = json["model_type"] as? String else {
                throw .invalidConfiguration(file: url.path, detail: "not a JSON object with a model_type")
            }
            modelType = type
            initializerRange = (json["initializer_range"] as? NSNumber)?.doubleValue ?? 0.02
            guard initializerRange.isFinite, initializerRange > 0 else {
                throw .invalidConfiguration(file: url.path, detail: "initializer_range must be positive, is \(initializerRange)")
            }
            padTokenId = (json["pad_token_id"] as? NSNumber)?.intValue
            layerCount = ((json["num_hidden_layers"] ?? json["n_layer"]) as? NSNumber)?.intValue ?? 12
            cutoffFactor = json["initializer_cutoff_factor"].map { ($0 as? NSNumber)?.doubleValue ?? 3 } ?? 2
            guard cutoffFactor.isFinite, cutoffFactor > 0 else {
                throw .invalidConfiguration(file: url.path, detail: "initializer_cutoff_factor must be positive, is \(cutoffFactor)")
            }
        }
    }

    /// The rule for a (checkpoint) tensor name, or nil when the tensor is left out.
    public static func rule(for name: String, shape: [Int], settings: Settings) -> Rule? {
        let parts = name.split(separator: ".")
        guard let last = parts.last else { return nil }
        let module = parts.dropLast().last.map(String.init) ?? ""
        if settings.modelType == "gpt2", module == "attn", last == "bias" || last == "masked_bias", shape.count == 4 { return nil }
        let isNorm = module.lowercased().contains("norm") || module.hasPrefix("ln_")
        if isNorm { return last == "bias" || last == "beta" ? .zeros : .ones }
        if last == "bias" { return .zeros }
        if settings.modelType == "modernbert" {
            let output = name.contains("attn.Wo.") || name.contains("mlp.Wo.") || name.hasPrefix("head.dense.") || name.hasPrefix("decoder.")
            let deviation = settings.initializerRange / (output ? (2 * Double(max(1, settings.layerCount))).squareRoot() : 1)
            return .truncatedNormal(standardDeviation: deviation, cutoff: settings.cutoffFactor)
        }
        var deviation = settings.initializerRange
        if settings.modelType == "gpt2", module == "c_proj" { deviation /= (2 * Double(max(1, settings.layerCount))).squareRoot() }
        let padded = name.hasSuffix("word_embeddings.weight") || name.hasSuffix("embed_tokens.weight")
            || (settings.modelType == "roberta" && name.hasSuffix("position_embeddings.weight"))
        let zeroRow = padded && shape.count == 2 ? settings.padTokenId.flatMap { (0..<shape[0]).contains($0) ? $0 : nil } : nil
        return .normal(standardDeviation: deviation, zeroRow: zeroRow)
    }

    /// Writes `folder/config.json` (a copy of `modelDirectory`'s) and `folder/model.safetensors` with
    /// freshly initialised F32 weights for every float tensor of the checkpoint in `modelDirectory`
    /// (`model.safetensors`, or the shards of `model.safetensors.index.json`), seeded by `seed`.
    /// - Returns: `folder`, a model folder for ``Encoder/init(directory:)`` and friends.
    @discardableResult
    public static func writeModel(like modelDirectory: URL, seed: UInt64, into folder: URL) throws(TransformerError) -> URL {
        let configURL = modelDirectory.appendingPathComponent("config.json")
        let settings = try Settings(contentsOf: configURL)
        let templates = try checkpointFiles(in: modelDirectory).map { url throws(TransformerError) in try SafeTensors(contentsOf: url) }
        var tensors: [(name: String, shape: [Int], rule: Rule)] = []
        for template in templates {
            for name in template.tensorNames {
                guard let entry = template.entry(name), [.f32, .f16, .bf16, .f64].contains(entry.dtype),
                      let rule = rule(for: name, shape: entry.shape, settings: settings) else { continue }
                tensors.append((name, entry.shape, rule))
            }
        }
        tensors.sort { $0.name < $1.name }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // The weights are F32 whatever the checkpoint's dtype; the config must say so.
            guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any] else {
                throw TransformerError.invalidConfiguration(file: configURL.path, detail: "not a JSON object")
            }
            for key in ["torch_dtype", "dtype"] where config[key] != nil { config[key] = "float32" }
            try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
                .write(to: folder.appendingPathComponent("config.json"))
        } catch let error as TransformerError {
            throw error
        } catch {
            throw .cannotRead(file: folder.path, reason: "cannot prepare the random-init model folder: \(error.localizedDescription)")
        }
        try write(tensors, seed: seed, to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    /// The weight files of a checkpoint folder.
    static func checkpointFiles(in directory: URL) throws(TransformerError) -> [URL] {
        let single = directory.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) { return [single] }
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        guard let data = FileManager.default.contents(atPath: index.path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["weight_map"] as? [String: String] else {
            throw .cannotRead(file: single.path, reason: "no model.safetensors and no readable model.safetensors.index.json")
        }
        return Set(map.values).sorted().map { directory.appendingPathComponent($0) }
    }

    /// Streams an F32 safetensors file: header, then each tensor's values in order.
    static func write(_ tensors: [(name: String, shape: [Int], rule: Rule)], seed: UInt64, to url: URL) throws(TransformerError) {
        var header: [String: Any] = ["__metadata__": ["format": "pt", "random_init_seed": String(seed)]]
        var offset = 0
        for tensor in tensors {
            let bytes = tensor.shape.reduce(1, *) * 4
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        do {
            var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
            while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
            FileManager.default.createFile(atPath: url.path, contents: nil)
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            var length = UInt64(json.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: json)
            for (index, tensor) in tensors.enumerated() {
                let values = generate(tensor.shape, tensor.rule, seed: seed, stream: UInt64(index))
                try handle.write(contentsOf: values.withUnsafeBufferPointer { Data(buffer: $0) })
            }
        } catch {
            throw .cannotRead(file: url.path, reason: "cannot write random-init weights: \(error.localizedDescription)")
        }
    }

    /// One tensor's values (little-endian F32 on every platform this builds for).
    static func generate(_ shape: [Int], _ rule: Rule, seed: UInt64, stream: UInt64) -> [Float] {
        let count = shape.reduce(1, *)
        switch rule {
        case .zeros: return [Float](repeating: 0, count: count)
        case .ones: return [Float](repeating: 1, count: count)
        case .normal(let deviation, let zeroRow):
            var generator = GaussianStream(seed: seed, stream: stream)
            var values = [Float](repeating: 0, count: count)
            for index in 0..<count { values[index] = Float(deviation * generator.next()) }
            if let zeroRow, shape.count == 2 {
                for column in 0..<shape[1] { values[zeroRow * shape[1] + column] = 0 }
            }
            return values
        case .truncatedNormal(let deviation, let cutoff):
            var generator = GaussianStream(seed: seed, stream: stream)
            var values = [Float](repeating: 0, count: count)
            for index in 0..<count {
                var z = generator.next()
                while abs(z) > cutoff { z = generator.next() }
                values[index] = Float(deviation * z)
            }
            return values
        }
    }
}

/// Standard normal samples from SplitMix64 by the Box–Muller transform, one stream per (seed, stream).
struct GaussianStream {
    private var state: UInt64
    private var spare: Double?

    init(seed: UInt64, stream: UInt64) {
        state = seed ^ (stream &* 0xD6E8_FEB8_6659_FD93) ^ 0x5DEE_CE66_D1CE_4E5B
    }

    private mutating func bits() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in (0, 1).
    private mutating func unit() -> Double { (Double(bits() >> 11) + 0.5) * 0x1p-53 }

    mutating func next() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        let radius = (-2 * log(unit())).squareRoot(), angle = 2 * Double.pi * unit()
        spare = radius * sin(angle)
        return radius * cos(angle)
    }
}
