/* ctxcore.local._speedups: declarations its files share (the design is in _speedups.c). */

#ifndef CTXCORE_SPEEDUPS_H
#define CTXCORE_SPEEDUPS_H

/* What the extension's files share. Files: _speedups.c (the module: shared objects,
 * configure(), init), _speedups_local.c (Local), _speedups_stack.c (LocalStack),
 * _speedups_proxy.c (Lookup and LocalProxy). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* Set once by _compiled.py through configure() (defined in _speedups.c). */
extern PyObject *ctxcore_UNBOUND;       /* ctxcore.local._proxy.UNBOUND */
extern PyObject *ctxcore_UNBOUND_ATTR;  /* f(proxy, name): answer or raise when unbound */
extern PyObject *ctxcore_OWN_NAMES;     /* frozenset: names a proxy answers itself */
extern PyObject *ctxcore_DICT_GETITEM;  /* dict.__getitem__, the descriptor */

/* Look up an attribute that may be missing: 1 found (*out set), 0 missing, -1 error. */
static inline int
optional_attr(PyObject *obj, PyObject *name, PyObject **out)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyObject_GetOptionalAttr(obj, name, out);
#else
    return _PyObject_LookupAttr(obj, name, out);
#endif
}

/* The storage dict behind a published value, or NULL (borrowed) when it is not one. */
static inline PyObject *
storage_of(PyObject *published)
{
    if (published != NULL && PyCFunction_Check(published)) {
        PyObject *self = PyCFunction_GET_SELF(published);
        if (self != NULL && PyDict_Check(self)) {
            return self;
        }
    }
    return NULL;
}

enum { SOURCE_CONTEXT = 0, SOURCE_GREENLET = 1, SOURCE_THREAD = 2, SOURCE_READER = 3 };
enum { LOOKUP_CALL = 0, LOOKUP_VAR = 1, LOOKUP_LOCAL = 2, LOOKUP_STACK = 3 };

extern PyTypeObject ctxcore_LocalBaseType;
extern PyTypeObject ctxcore_StackBaseType;
extern PyTypeObject ctxcore_LookupType;
extern PyTypeObject ctxcore_ProxyBaseType;

/* A LocalStack's top item (new reference), `empty` (new reference) when it is empty,
 * NULL on error (_speedups_stack.c). */
PyObject *ctxcore_stack_top_or(PyObject *stack, PyObject *empty);

/* target(proxy), the module function (_speedups_proxy.c). */
PyObject *ctxcore_proxy_target(PyObject *module, PyObject *proxy);

#endif /* CTXCORE_SPEEDUPS_H */
