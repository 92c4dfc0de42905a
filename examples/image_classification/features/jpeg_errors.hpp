#pragma once
/// libjpeg errors for C++ callers. libjpeg's default error_exit calls
/// exit(); JpegErrors' formats the message and longjmps back to the setjmp
/// of the frame that made the libjpeg calls, which then reports it. That
/// frame must hold no C++ object to destroy (a longjmp past one is
/// undefined), and throwing straight through libjpeg's C frames is not
/// portable.

#include <csetjmp>
#include <cstddef>
#include <cstdio>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

namespace image_features {

struct JpegErrors {
  jpeg_error_mgr base;  // first, so that a j_common_ptr's err can be cast back
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];

  /// For a libjpeg object's `err`: libjpeg's defaults, but errors longjmp.
  jpeg_error_mgr* install() {
    jpeg_error_mgr* out = jpeg_std_error(&base);
    base.error_exit = fail;
    return out;
  }

  [[noreturn]] static void fail(j_common_ptr cinfo) {
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    errors->base.format_message(cinfo, errors->message);
    std::longjmp(errors->jump, 1);
  }
};

}  // namespace image_features
