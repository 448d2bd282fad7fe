/* ctxcore.local._c: declarations its files share (the design is in README.md). */

#ifndef CTXCORE_C_H
#define CTXCORE_C_H

/* Files: _c.c (the module: the rules it is handed, _init(), make_local()), _c_local.c
 * (Local), _c_stack.c (LocalStack), _c_proxy.c (Lookup and LocalProxy). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* The rules, handed over once by ctxcore.local through _init() (defined in _c.c): each is
 * defined in Python, and nothing here restates one. */
extern PyObject *ctxcore_UNBOUND;      /* _proxy.UNBOUND */
extern PyObject *ctxcore_OWN;          /* _proxy.OWN: names a proxy answers itself */
extern PyObject *ctxcore_UNBOUND_OWN;  /* _proxy.UNBOUND_OWN: ... when unbound */
extern PyObject *ctxcore_STORAGE;      /* _storage.Storage: what a Local publishes */
extern PyObject *ctxcore_MARKER;       /* _stack.Marker: the third item of a frame */
extern Py_ssize_t ctxcore_PUBLISHED;   /* _storage.PUBLISHED */
extern PyObject *ctxcore_MISSING;      /* _local.MISSING: the read-miss message */
extern PyObject *ctxcore_BUILD_LOCAL;  /* new_local(cls, *args, **kwargs) */
extern PyObject *ctxcore_STACK_SLOT;   /* stack_slot(*args, **kwargs) -> slot */
extern PyObject *ctxcore_BUILD_PROXY;  /* (lookup, message, wrapped) from the arguments */
extern PyObject *ctxcore_DICT_GETITEM; /* dict.__getitem__, the descriptor */

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

/* The storage behind a published value (a Storage's bound __getitem__), or NULL
 * (borrowed) when it is not one. */
static inline PyObject *
storage_of(PyObject *published)
{
    if (published != NULL && PyCFunction_Check(published)) {
        PyObject *self = PyCFunction_GET_SELF(published);
        /* A Local's storage class derives from Storage directly: test that first. */
        if (self != NULL && (Py_TYPE(self)->tp_base == (PyTypeObject *)ctxcore_STORAGE
                             || PyObject_TypeCheck(self, (PyTypeObject *)ctxcore_STORAGE))) {
            return self;
        }
    }
    return NULL;
}

/* Whether `value` is a stack frame: (item, below, marker). */
static inline int
is_frame(PyObject *value)
{
    return PyTuple_CheckExact(value) && PyTuple_GET_SIZE(value) == 3
           && Py_TYPE(PyTuple_GET_ITEM(value, 2)) == (PyTypeObject *)ctxcore_MARKER;
}

/* Call `func` with `args` and drop the result: 0, or -1 with an error set. */
static inline int
call_dropped(PyObject *func, PyObject *arg)
{
    PyObject *done = PyObject_CallOneArg(func, arg);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

extern PyTypeObject ctxcore_LocalBaseType;
extern PyTypeObject ctxcore_StackBaseType;
extern PyTypeObject ctxcore_LookupType;
extern PyTypeObject ctxcore_ProxyBaseType;

/* make_local(subclass, reach, set, tracker, empty, where): a new bound Local (_c_local.c). */
PyObject *ctxcore_make_local(PyObject *module, PyObject *args);

/* A LocalStack's top item (new reference), `empty` (new reference) when it is empty,
 * NULL on error (_c_stack.c). */
PyObject *ctxcore_stack_top_or(PyObject *stack, PyObject *empty);

/* target(proxy), the module function (_c_proxy.c). */
PyObject *ctxcore_proxy_target(PyObject *module, PyObject *proxy);

#endif /* CTXCORE_C_H */
