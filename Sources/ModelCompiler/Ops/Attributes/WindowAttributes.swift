/// `auto_pad` of Conv, ConvTranspose and the pools (ONNX).
public enum AutoPad: String, Sendable, Equatable {
    case notSet = "NOTSET", valid = "VALID", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER"
}

/// The sliding-window attributes shared by Conv, ConvTranspose and the pools, decoded once:
/// each list entry is range-checked here (kernel, strides, dilations ≥ 1, pads ≥ 0, all at
/// most `AttributeLimits.maxWindowValue`); counts are checked against the spatial rank by
/// `resolved(spatialRank:kernel:)`, when the rank is known.
public struct WindowAttributes: Sendable, Equatable {
    /// `kernel_shape` when given (Conv reads it from W otherwise).
    public var kernelShape: [Int]?
    public var strides: [Int]?
    public var dilations: [Int]?
    /// Begin pads then end pads (ONNX order).
    public var pads: [Int]?
    public var autoPad: AutoPad

    public init(_ attributes: Attributes) throws(AttributeError) {
        kernelShape = try attributes.boundedInts("kernel_shape", minimum: 1)
        strides = try attributes.boundedInts("strides", minimum: 1)
        dilations = try attributes.boundedInts("dilations", minimum: 1)
        pads = try attributes.boundedInts("pads", minimum: 0)
        let text = attributes.string("auto_pad", default: "NOTSET")
        guard let autoPad = AutoPad(rawValue: text) else {
            throw AttributeError("auto_pad", "auto_pad '\(text)' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER")
        }
        self.autoPad = autoPad
    }

    /// Every list for `spatialRank` axes, with ONNX defaults for the absent ones (stride and
    /// dilation 1, no padding); `kernel` is the kernel extent per axis (from `kernel_shape` or W).
    public func resolved(spatialRank: Int, kernel: [Int]) throws(AttributeError) -> ResolvedWindow {
        let strides = self.strides ?? Array(repeating: 1, count: spatialRank)
        let dilations = self.dilations ?? Array(repeating: 1, count: spatialRank)
        let pads = self.pads ?? Array(repeating: 0, count: 2 * spatialRank)
        for (name, list, count) in [
            ("kernel_shape", kernel, spatialRank), ("strides", strides, spatialRank),
            ("dilations", dilations, spatialRank), ("pads", pads, 2 * spatialRank),
        ] where list.count != count {
            throw AttributeError(
                name, "\(name) \(list) has \(list.count) entries; \(spatialRank) spatial axes need \(count)")
        }
        for value in kernel where value < 1 || value > AttributeLimits.maxWindowValue {
            throw AttributeError(
                "kernel_shape", "kernel extent \(value) of \(kernel) is out of 1...\(AttributeLimits.maxWindowValue)")
        }
        return ResolvedWindow(kernel: kernel, strides: strides, dilations: dilations, pads: pads, autoPad: autoPad)
    }
}

/// A window with every list present and of the right length.
public struct ResolvedWindow: Sendable, Equatable {
    public var kernel: [Int]
    public var strides: [Int]
    public var dilations: [Int]
    /// Begin pads then end pads (ONNX order).
    public var pads: [Int]
    public var autoPad: AutoPad

    /// `(kernel − 1)·dilation + 1` on `axis`: at most about 2^62, so it cannot overflow.
    public func effectiveKernel(_ axis: Int) -> Int { (kernel[axis] - 1) * dilations[axis] + 1 }
}

/// Conv's, FusedConv's and ConvTranspose's attributes (ONNX Conv-11, ConvTranspose-11).
public struct ConvAttributes: Sendable, Equatable {
    public var window: WindowAttributes
    public var group: Int
    /// ConvTranspose only.
    public var outputPadding: [Int]?
    /// ConvTranspose only.
    public var outputShape: [Int]?

    public init(_ attributes: Attributes) throws(AttributeError) {
        window = try WindowAttributes(attributes)
        group = try attributes.boundedInt("group", default: 1, minimum: 1)
        outputPadding = try attributes.boundedInts("output_padding", minimum: 0)
        outputShape = try attributes.boundedInts("output_shape", minimum: 1)
    }
}

/// MaxPool's and AveragePool's attributes (ONNX MaxPool-12, AveragePool-11) and their gradients'.
public struct PoolAttributes: Sendable, Equatable {
    public var window: WindowAttributes
    public var ceilMode: Bool
    /// AveragePool: divide by the window's full size (padding included).
    public var countIncludePad: Bool
    /// MaxPool's Indices: column-major within the image (`storage_order` 1).
    public var columnMajorIndices: Bool

    public init(_ attributes: Attributes) throws(AttributeError) {
        window = try WindowAttributes(attributes)
        ceilMode = try attributes.flag("ceil_mode", default: false)
        countIncludePad = try attributes.flag("count_include_pad", default: false)
        columnMajorIndices = try attributes.flag("storage_order", default: false)
    }
}
