import Foundation
import ModelFormat

/// A node's attributes, read by kind with the op's defaults.
public struct Attributes: Sendable, Equatable {
    public var values: [String: ProtoAttribute]

    public init(_ attributes: [ProtoAttribute]) {
        values = Dictionary(attributes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func has(_ name: String) -> Bool { values[name] != nil }
    public func int(_ name: String, default value: Int) -> Int { values[name].map { Int($0.i) } ?? value }
    public func float(_ name: String, default value: Float) -> Float { values[name]?.f ?? value }
    public func string(_ name: String, default value: String) -> String {
        values[name].map { String(decoding: $0.s, as: UTF8.self) } ?? value
    }
    public func ints(_ name: String) -> [Int]? { values[name].map { $0.ints.map { Int($0) } } }
    public func floats(_ name: String) -> [Float]? { values[name]?.floats }
    public func tensor(_ name: String) -> ProtoTensor? { values[name].flatMap { $0.hasT ? $0.t : nil } }

    /// The attributes in name order, as protobuf messages.
    public var proto: [ProtoAttribute] { values.keys.sorted().compactMap { values[$0] } }
}

extension Attributes {
    /// Sets an INT attribute.
    public mutating func set(_ name: String, int value: Int) {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.i = Int64(value)
        values[name] = attribute
    }

    /// Sets a STRING attribute.
    public mutating func set(_ name: String, string value: String) {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.s = Data(value.utf8)
        values[name] = attribute
    }

    /// Sets a FLOAT attribute.
    public mutating func set(_ name: String, float value: Float) {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.f = value
        values[name] = attribute
    }
}

extension Attributes {
    /// Sets a FLOATS attribute.
    public mutating func set(_ name: String, floats value: [Float]) {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.floats = value
        values[name] = attribute
    }

    /// Sets an INTS attribute.
    public mutating func set(_ name: String, ints value: [Int]) {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.ints = value.map { Int64($0) }
        values[name] = attribute
    }
}
