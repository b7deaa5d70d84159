#pragma once
#ifndef CNNSHAPE_VERSION
#define CNNSHAPE_VERSION "0.1.0"
#endif
