#pragma once
// The Engine API client over any HTTP transport: our HttpClient in stackup (engine::connect), a
// recording fake in its unit tests.
#include <memory>
#include <string>

#include "engine/engine.hpp"
#include "engine/http.hpp"
#include "engine/swarm.hpp"

namespace stackup::engine {

// `address` is how messages name the engine (DOCKER_HOST as given).
std::unique_ptr<Engine> make_docker_engine(std::string address, std::unique_ptr<HttpTransport> transport);
std::unique_ptr<Swarm> make_docker_swarm(std::string address, std::unique_ptr<HttpTransport> transport);

// How DOCKER_HOST and the TLS settings are reached; the address as messages name it.
base::Result<std::pair<std::string, HttpTarget>> target_of(const EngineSettings& settings);

}  // namespace stackup::engine
