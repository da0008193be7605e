// `import SpectrumAnalysis` is enough for a tool built on the toolkit: the modules whose types appear
// in its API come with it.
@_exported import HDF5Store
@_exported import LinearAlgebra
@_exported import Tokenizers
@_exported import Transformer
