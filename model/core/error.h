#pragma once
/// \file
/// The one exception type of the engine. Library code never exits or prints: it throws an
/// Error whose message names the file and the problem so that a user can act on it.

#include <stdexcept>
#include <string>

namespace lorsa {

/// What went wrong, so that callers (CLI exit codes, GUI messages) can react by kind.
enum class ErrorKind {
    InvalidFile,     ///< a file is missing, truncated, corrupt or hostile
    InvalidConfig,   ///< a config has missing, zero, negative or inconsistent values
    Unsupported,     ///< a valid input we do not handle (architecture, dtype, option)
    Mismatch,        ///< a Lorsa checkpoint does not fit the loaded model
    InvalidInput,    ///< a prompt or request is invalid (empty, bad UTF-8, too long)
    Device,          ///< the requested device or dtype is not available
    Cancelled,       ///< a computation was superseded or cancelled
};

/// An error with a message meant for the user, e.g.
/// "model.safetensors: tensor 'h.0.attn.c_attn.weight' has shape [768,512], expected [768,2304]".
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    ErrorKind kind() const noexcept { return m_kind; }

private:
    ErrorKind m_kind;
};

} // namespace lorsa
