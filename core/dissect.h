/* dissect.h: the outcome every dissector returns. */
#ifndef MISROUTE_DISSECT_H
#define MISROUTE_DISSECT_H

enum dis_status {
	DIS_OK = 0,        /* parsed; the result is filled */
	DIS_SHORT = 1,     /* the buffer ends before the message does: need more bytes */
	DIS_MALFORMED = 2, /* the bytes cannot be this protocol; the result says why */
};

#endif
