#pragma once
/// The whole public API of jug: include this in a jugfile.

#include "jug/argument_hashing.hpp"
#include "jug/barrier.hpp"
#include "jug/codec.hpp"
#include "jug/compound.hpp"
#include "jug/errors.hpp"
#include "jug/identity.hpp"
#include "jug/input_file.hpp"
#include "jug/main.hpp"
#include "jug/mapreduce.hpp"
#include "jug/npy.hpp"
#include "jug/task_generator.hpp"
#include "jug/task_handle.hpp"
#include "jug/task_hash.hpp"
#include "jug/task_options.hpp"
#include "jug/tasklet.hpp"
