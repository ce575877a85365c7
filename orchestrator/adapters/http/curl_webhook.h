// Webhook delivery over libcurl (the notify adapter; checks have their own curl wrapper).
#pragma once

#include <string>

#include "golive/error.h"

namespace golive {

// POSTs `json` to `url` with a 10 s timeout and one retry; TLS verification always on.
Status post_webhook(const std::string& url, const std::string& json);

}  // namespace golive
