#pragma once
// Replacing the file a running container sees at a path, without restarting it: what in-place
// secret rotation (x-stackup change_mode: signal or noop) stands on.
//
// A file bind mount pins an inode: writing a new file beside the old one on the host changes
// nothing the container sees, and rewriting the old one in place lets a reader see half a value.
// So the new file is mounted over the path inside the container's own mount namespace, and the old
// mount detached. A path lookup then finds either the old mount or the new one, never a mix: a
// reader that opens the file gets one whole value, and a reader that had the old one open keeps
// reading it whole (the kernel frees it once closed). On kernels since 6.5 the new file goes
// beneath the old mount (MOVE_MOUNT_BENEATH) and the old one is then detached, so nothing piles up;
// older kernels cannot mount beneath, and there the new mount goes on top, the old one staying
// hidden below it until the container goes.
#include <sys/stat.h>

#include <string>

#include "base/error.hpp"

namespace stackup::deploy {

// Mounts the file `name` of the open host directory `directory`, read-only, at `target` inside the
// mount namespace of process `pid`, in place of the mount there. That mount must be of the file
// `replaced` (its device and inode): anything else at that path is refused, so neither a reused
// process ID nor a path the container changed makes us mount anywhere else.
base::Result<void> swap_file_mount(int pid, int directory, const std::string& name, const std::string& target,
                                   const struct stat& replaced);

}  // namespace stackup::deploy
