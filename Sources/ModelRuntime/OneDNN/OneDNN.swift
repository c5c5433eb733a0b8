import CDNNL

/// The one place the runtime talks to oneDNN about itself: status codes, the CPU engine, and
/// which instruction set its kernels were generated for (picked by oneDNN from CPUID at run
/// time, never from a CPU model table).
enum OneDNN {
    /// The CPU engine every primitive and memory object belongs to. Creating it only fails
    /// when the library is broken, which no later call could recover from.
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        let status = dnnl_engine_create(&engine, dnnl_cpu, 0)
        guard status == dnnl_success, let engine else {
            fatalError("oneDNN could not create its CPU engine: \(describe(status))")
        }
        return engine
    }()

    /// A oneDNN call that did not return `dnnl_success`, as the runtime's typed error.
    static func check(_ status: dnnl_status_t, node: String, op: String, call: String) throws(RuntimeError) {
        guard status != dnnl_success else { return }
        throw .bind(node: node, op: op, reason: "oneDNN \(call) failed: \(describe(status))")
    }

    static func describe(_ status: dnnl_status_t) -> String {
        switch status {
        case dnnl_out_of_memory: "out of memory"
        case dnnl_invalid_arguments: "invalid arguments"
        case dnnl_unimplemented: "no implementation for these shapes and attributes"
        case dnnl_iterator_ends: "iterator ends"
        case dnnl_runtime_error: "runtime error"
        case dnnl_not_required: "not required"
        default: "status \(status.rawValue)"
        }
    }

    /// The instruction set oneDNN's generated kernels use on this CPU, e.g. "avx512_core".
    static var instructionSet: String {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_sse41: "sse41"
        case dnnl_cpu_isa_avx: "avx"
        case dnnl_cpu_isa_avx2: "avx2"
        case dnnl_cpu_isa_avx2_vnni: "avx2_vnni"
        case dnnl_cpu_isa_avx512_mic: "avx512_mic"
        case dnnl_cpu_isa_avx512_mic_4ops: "avx512_mic_4ops"
        case dnnl_cpu_isa_avx512_core: "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_amx: "avx512_core_amx"
        default: "isa 0x\(String(dnnl_get_effective_cpu_isa().rawValue, radix: 16))"
        }
    }

    /// oneDNN's version, e.g. "2.6.3".
    static var version: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }
}
