/* ctxcore.local._speedups: the hot paths of Local, LocalStack and LocalProxy in C.
 *
 * The pure-Python modules (_local.py, _stack.py, _proxy.py) are the reference; this
 * module only replaces what runs on every request: reading and writing a Local's
 * attribute, pushing/popping/peeking a LocalStack, and resolving a LocalProxy's target
 * for attribute access. Everything else (construction, repr, errors, copy-on-write
 * bookkeeping, the rest of the proxy's data model) stays in Python, in _compiled.py,
 * and reaches these types through a few private `_ctxcore_*` methods.
 *
 * Values are kept exactly as the pure-Python implementation keeps them, so both share
 * one representation (and the diagnostics that scan for it):
 *   - a Local's current ident holds a bound `storage.__getitem__` (a builtin method
 *     whose __self__ is the storage dict), or its "empty" equivalent;
 *   - a LocalStack's current ident holds an immutable (item, below, marker) frame.
 *
 * Copy-on-write under "context" (see _local.py's module docstring for the full rules):
 * a write republishes the storage under a fresh bound method first; if the storage is
 * then referenced only by that method and by this function, no other context can see
 * it and it is written in place. Anything else goes to the Python hook, which copies.
 * The check errs towards copying: a stray reference costs a copy, never correctness.
 *
 * Module state is process-global (single-phase init): the extension is not meant for
 * sub-interpreters.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* Set once by _compiled.py through configure(). */
static PyObject *UNBOUND = NULL;        /* ctxcore.local._proxy.UNBOUND */
static PyObject *UNBOUND_ATTR = NULL;   /* f(proxy, name): answer or raise when unbound */
static PyObject *DICT_GETITEM = NULL;   /* dict.__getitem__, the descriptor */

/* Look up an attribute that may be missing: 1 found (*out set), 0 missing, -1 error. */
static int
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

/* ------------------------------------------------------------------------------ */
/* Local                                                                           */
/* ------------------------------------------------------------------------------ */

enum { SOURCE_CONTEXT = 0, SOURCE_GREENLET = 1, SOURCE_THREAD = 2, SOURCE_READER = 3 };

typedef struct {
    PyObject_HEAD
    PyObject *weaklist;
    int source;
    PyObject *var;         /* SOURCE_CONTEXT: the ContextVar */
    PyObject *getcurrent;  /* SOURCE_GREENLET: greenlet.getcurrent */
    PyObject *holder;      /* SOURCE_THREAD: the interpreter's thread-local object */
    PyObject *key;         /* the attribute holding the value on the greenlet/holder */
    PyObject *reader;      /* SOURCE_READER: reader(x) -> published value or empty */
    PyObject *empty;       /* the published value meaning "nothing stored" */
    PyObject *nothing;     /* empty's storage: never written to */
    PyObject *setter;      /* Python hook (self, name, value): every other write */
    PyObject *deleter;     /* Python hook (self, name) */
    PyObject *missing;     /* Python (self, name) -> the AttributeError to raise */
} LocalObject;

static PyTypeObject LocalBaseType;

/* The current ident's published value (new reference), or NULL with no error set when
 * nothing was published; NULL with an error set on failure. */
static PyObject *
local_published(LocalObject *self)
{
    PyObject *value = NULL;
    switch (self->source) {
    case SOURCE_CONTEXT:
        if (PyContextVar_Get(self->var, NULL, &value) < 0) {
            return NULL;
        }
        return value;
    case SOURCE_GREENLET: {
        PyObject *current = PyObject_CallNoArgs(self->getcurrent);
        if (current == NULL) {
            return NULL;
        }
        int found = optional_attr(current, self->key, &value);
        Py_DECREF(current);
        return found < 0 ? NULL : value;
    }
    case SOURCE_THREAD:
        return optional_attr(self->holder, self->key, &value) < 0 ? NULL : value;
    default:
        return PyObject_CallOneArg(self->reader, Py_None);
    }
}

static PyObject *
local_getattro(PyObject *op, PyObject *name)
{
    LocalObject *self = (LocalObject *)op;
    if (self->empty == NULL) {
        /* Not bound yet (only while _compiled.Local.__new__ runs). */
        return PyObject_GenericGetAttr(op, name);
    }
    PyObject *published = local_published(self);
    if (published == NULL && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *storage = storage_of(published);
    if (storage != NULL) {
        PyObject *value = PyDict_GetItemWithError(storage, name);
        if (value != NULL) {
            Py_INCREF(value);
            Py_DECREF(published);
            return value;
        }
        if (PyErr_Occurred()) {
            Py_DECREF(published);
            return NULL;
        }
    }
    Py_XDECREF(published);
    /* Not stored: a class attribute (methods, dunders, a subclass's defaults)... */
    PyObject *attr = PyObject_GenericGetAttr(op, name);
    if (attr != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)) {
        return attr;
    }
    /* ...or an AttributeError that names the ident source, built in Python. */
    PyErr_Clear();
    PyObject *error = PyObject_CallFunctionObjArgs(self->missing, op, name, NULL);
    if (error != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(error), error);
        Py_DECREF(error);
    }
    return NULL;
}

/* Write in place when the storage provably belongs to this context alone: 1 written,
 * 0 not attempted (the Python hook decides), -1 error. */
static int
local_set_owned(LocalObject *self, PyObject *name, PyObject *value)
{
    PyObject *published = NULL;
    if (PyContextVar_Get(self->var, NULL, &published) < 0) {
        return -1;
    }
    PyObject *storage = storage_of(published);
    if (storage == NULL || storage == self->nothing) {
        Py_XDECREF(published);
        return 0;
    }
    Py_INCREF(storage);
    Py_DECREF(published);
    /* Republish under a new bound method: contexts copied from this one keep the old
     * method (and through it a second reference to the storage). */
    PyObject *fresh = Py_TYPE(DICT_GETITEM)->tp_descr_get(
        DICT_GETITEM, storage, (PyObject *)Py_TYPE(storage));
    if (fresh == NULL) {
        Py_DECREF(storage);
        return -1;
    }
    /* The token holds the old value: dropped at once, or it would count as a sharer. */
    PyObject *token = PyContextVar_Set(self->var, fresh);
    Py_DECREF(fresh);
    if (token == NULL) {
        Py_DECREF(storage);
        return -1;
    }
    Py_DECREF(token);
    /* Owned: our reference and the fresh method's, nothing else. */
    int result = 0;
    if (Py_REFCNT(storage) == 2) {
        result = PyDict_SetItem(storage, name, value) < 0 ? -1 : 1;
    }
    Py_DECREF(storage);
    return result;
}

static int
local_setattro(PyObject *op, PyObject *name, PyObject *value)
{
    LocalObject *self = (LocalObject *)op;
    if (self->empty == NULL) {
        PyErr_SetString(PyExc_TypeError, "this Local is not initialised");
        return -1;
    }
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "attribute name must be string, not '%.100s'",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
    if (value == NULL) {
        PyObject *done = PyObject_CallFunctionObjArgs(self->deleter, op, name, NULL);
        Py_XDECREF(done);
        return done == NULL ? -1 : 0;
    }
    if (self->source == SOURCE_CONTEXT) {
        int written = local_set_owned(self, name, value);
        if (written != 0) {
            return written < 0 ? -1 : 0;
        }
    }
    else if (self->source == SOURCE_GREENLET || self->source == SOURCE_THREAD) {
        /* Greenlet and thread storages are never shared: write into the current one. */
        PyObject *published = local_published(self);
        if (published == NULL && PyErr_Occurred()) {
            return -1;
        }
        PyObject *storage = storage_of(published);
        if (storage != NULL && storage != self->nothing) {
            int rc = PyDict_SetItem(storage, name, value);
            Py_DECREF(published);
            return rc;
        }
        Py_XDECREF(published);
    }
    PyObject *done = PyObject_CallFunctionObjArgs(self->setter, op, name, value, NULL);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

static PyObject *
local_bind(PyObject *op, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"source", "var", "getcurrent", "holder", "key", "reader",
                               "empty", "setter", "deleter", "missing", NULL};
    LocalObject *self = (LocalObject *)op;
    int source;
    PyObject *var, *getcurrent, *holder, *key, *reader, *empty, *setter, *deleter, *missing;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "$iOOOOOOOOO:_ctxcore_bind", keywords,
                                     &source, &var, &getcurrent, &holder, &key, &reader,
                                     &empty, &setter, &deleter, &missing)) {
        return NULL;
    }
    if (self->empty != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a Local is bound once");
        return NULL;
    }
    if (source < SOURCE_CONTEXT || source > SOURCE_READER) {
        PyErr_SetString(PyExc_ValueError, "unknown source");
        return NULL;
    }
    if (source == SOURCE_CONTEXT && !PyContextVar_CheckExact(var)) {
        PyErr_SetString(PyExc_TypeError, "var must be a ContextVar");
        return NULL;
    }
    if ((source == SOURCE_GREENLET || source == SOURCE_THREAD) && !PyUnicode_Check(key)) {
        PyErr_SetString(PyExc_TypeError, "key must be a str");
        return NULL;
    }
    PyObject *nothing = storage_of(empty);
    if (nothing == NULL) {
        PyErr_SetString(PyExc_TypeError, "empty must be a storage's bound __getitem__");
        return NULL;
    }
    self->source = source;
    self->var = Py_NewRef(var);
    self->getcurrent = Py_NewRef(getcurrent);
    self->holder = Py_NewRef(holder);
    self->key = Py_NewRef(key);
    self->reader = Py_NewRef(reader);
    self->nothing = Py_NewRef(nothing);
    self->setter = Py_NewRef(setter);
    self->deleter = Py_NewRef(deleter);
    self->missing = Py_NewRef(missing);
    self->empty = Py_NewRef(empty);
    Py_RETURN_NONE;
}

static int
local_traverse(PyObject *op, visitproc visit, void *arg)
{
    LocalObject *self = (LocalObject *)op;
    Py_VISIT(self->var);
    Py_VISIT(self->getcurrent);
    Py_VISIT(self->holder);
    Py_VISIT(self->key);
    Py_VISIT(self->reader);
    Py_VISIT(self->empty);
    Py_VISIT(self->nothing);
    Py_VISIT(self->setter);
    Py_VISIT(self->deleter);
    Py_VISIT(self->missing);
    return 0;
}

static int
local_clear(PyObject *op)
{
    LocalObject *self = (LocalObject *)op;
    /* `empty` first: it marks the object bound, and clearing the others may run code
     * (finalizers, weakref callbacks) that touches this object. */
    Py_CLEAR(self->empty);
    Py_CLEAR(self->var);
    Py_CLEAR(self->getcurrent);
    Py_CLEAR(self->holder);
    Py_CLEAR(self->key);
    Py_CLEAR(self->reader);
    Py_CLEAR(self->nothing);
    Py_CLEAR(self->setter);
    Py_CLEAR(self->deleter);
    Py_CLEAR(self->missing);
    return 0;
}

static void
local_dealloc(PyObject *op)
{
    LocalObject *self = (LocalObject *)op;
    PyObject_GC_UnTrack(op);
    if (self->weaklist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    local_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static PyMethodDef local_methods[] = {
    {"_ctxcore_bind", (PyCFunction)(void (*)(void))local_bind, METH_VARARGS | METH_KEYWORDS,
     "Give a new Local its ident source and write hooks (once, from __new__)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LocalBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._speedups.LocalBase",
    .tp_basicsize = sizeof(LocalObject),
    .tp_dealloc = local_dealloc,
    .tp_getattro = local_getattro,
    .tp_setattro = local_setattro,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The C read and write paths of ctxcore's compiled Local.",
    .tp_traverse = local_traverse,
    .tp_clear = local_clear,
    .tp_weaklistoffset = offsetof(LocalObject, weaklist),
    .tp_methods = local_methods,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------------ */
/* LocalStack                                                                      */
/* ------------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *weaklist;
    PyObject *var;     /* the ContextVar under "context", else NULL */
    PyObject *get;     /* slot.get: get(default) */
    PyObject *set;     /* slot.set: set(frame) */
    PyObject *slot;
    PyObject *marker;
} StackObject;

static PyTypeObject StackBaseType;

/* The current frame (new reference; Py_None when empty), or NULL on error. */
static PyObject *
stack_frame(StackObject *self)
{
    if (self->get == NULL) {
        PyErr_SetString(PyExc_TypeError, "this LocalStack is not initialised");
        return NULL;
    }
    PyObject *frame;
    if (self->var != NULL) {
        if (PyContextVar_Get(self->var, Py_None, &frame) < 0) {
            return NULL;
        }
    }
    else {
        frame = PyObject_CallOneArg(self->get, Py_None);
        if (frame == NULL) {
            return NULL;
        }
    }
    if (frame != Py_None && !(PyTuple_CheckExact(frame) && PyTuple_GET_SIZE(frame) == 3)) {
        PyErr_Format(PyExc_TypeError, "a LocalStack's slot holds a %.100s, not a frame",
                     Py_TYPE(frame)->tp_name);
        Py_DECREF(frame);
        return NULL;
    }
    return frame;
}

static int
stack_publish(StackObject *self, PyObject *frame)
{
    if (self->var != NULL) {
        PyObject *token = PyContextVar_Set(self->var, frame);
        Py_XDECREF(token);
        return token == NULL ? -1 : 0;
    }
    PyObject *done = PyObject_CallOneArg(self->set, frame);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

static PyObject *
stack_push(PyObject *op, PyObject *item)
{
    StackObject *self = (StackObject *)op;
    PyObject *below = stack_frame(self);
    if (below == NULL) {
        return NULL;
    }
    PyObject *frame = PyTuple_New(3);
    if (frame == NULL) {
        Py_DECREF(below);
        return NULL;
    }
    PyTuple_SET_ITEM(frame, 0, Py_NewRef(item));
    PyTuple_SET_ITEM(frame, 1, below);
    PyTuple_SET_ITEM(frame, 2, Py_NewRef(self->marker));
    int rc = stack_publish(self, frame);
    Py_DECREF(frame);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
stack_pop(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    StackObject *self = (StackObject *)op;
    PyObject *frame = stack_frame(self);
    if (frame == NULL || frame == Py_None) {
        return frame;
    }
    if (stack_publish(self, PyTuple_GET_ITEM(frame, 1)) < 0) {
        Py_DECREF(frame);
        return NULL;
    }
    PyObject *top = Py_NewRef(PyTuple_GET_ITEM(frame, 0));
    Py_DECREF(frame);
    return top;
}

/* The top item (new reference), `empty` (new reference) when the stack is empty. */
static PyObject *
stack_top_or(StackObject *self, PyObject *empty)
{
    PyObject *frame = stack_frame(self);
    if (frame == NULL) {
        return NULL;
    }
    if (frame == Py_None) {
        Py_DECREF(frame);
        return Py_NewRef(empty);
    }
    PyObject *top = Py_NewRef(PyTuple_GET_ITEM(frame, 0));
    Py_DECREF(frame);
    return top;
}

static PyObject *
stack_get_top(PyObject *op, void *Py_UNUSED(closure))
{
    return stack_top_or((StackObject *)op, Py_None);
}

static PyObject *
stack_bind(PyObject *op, PyObject *args)
{
    StackObject *self = (StackObject *)op;
    PyObject *slot, *marker, *var;
    if (!PyArg_ParseTuple(args, "OOO:_ctxcore_bind", &slot, &marker, &var)) {
        return NULL;
    }
    if (self->get != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a LocalStack is bound once");
        return NULL;
    }
    if (var != Py_None && !PyContextVar_CheckExact(var)) {
        PyErr_SetString(PyExc_TypeError, "var must be a ContextVar or None");
        return NULL;
    }
    PyObject *get = PyObject_GetAttrString(slot, "get");
    if (get == NULL) {
        return NULL;
    }
    PyObject *set = PyObject_GetAttrString(slot, "set");
    if (set == NULL) {
        Py_DECREF(get);
        return NULL;
    }
    self->var = var == Py_None ? NULL : Py_NewRef(var);
    self->slot = Py_NewRef(slot);
    self->marker = Py_NewRef(marker);
    self->set = set;
    self->get = get;
    Py_RETURN_NONE;
}

static int
stack_traverse(PyObject *op, visitproc visit, void *arg)
{
    StackObject *self = (StackObject *)op;
    Py_VISIT(self->var);
    Py_VISIT(self->get);
    Py_VISIT(self->set);
    Py_VISIT(self->slot);
    Py_VISIT(self->marker);
    return 0;
}

static int
stack_clear(PyObject *op)
{
    StackObject *self = (StackObject *)op;
    Py_CLEAR(self->get);  /* first: it marks the object bound (see local_clear) */
    Py_CLEAR(self->var);
    Py_CLEAR(self->set);
    Py_CLEAR(self->slot);
    Py_CLEAR(self->marker);
    return 0;
}

static void
stack_dealloc(PyObject *op)
{
    StackObject *self = (StackObject *)op;
    PyObject_GC_UnTrack(op);
    if (self->weaklist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    stack_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static PyMethodDef stack_methods[] = {
    {"push", stack_push, METH_O, "Push ``obj`` onto the current ident's stack."},
    {"pop", stack_pop, METH_NOARGS,
     "Remove and return the top item, or return ``None`` if the stack is empty."},
    {"_ctxcore_bind", stack_bind, METH_VARARGS,
     "Give a new LocalStack its slot, marker and ContextVar (or None), once."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef stack_getset[] = {
    {"top", stack_get_top, NULL, "The top item, or ``None`` if the stack is empty.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef stack_members[] = {
    {"_get", T_OBJECT, offsetof(StackObject, get), READONLY, "slot.get"},
    {"_set", T_OBJECT, offsetof(StackObject, set), READONLY, "slot.set"},
    {"_slot", T_OBJECT, offsetof(StackObject, slot), READONLY, "the slot"},
    {"_marker", T_OBJECT, offsetof(StackObject, marker), READONLY, "marks this stack's frames"},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject StackBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._speedups.StackBase",
    .tp_basicsize = sizeof(StackObject),
    .tp_dealloc = stack_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The C push, pop and top of ctxcore's compiled LocalStack.",
    .tp_traverse = stack_traverse,
    .tp_clear = stack_clear,
    .tp_weaklistoffset = offsetof(StackObject, weaklist),
    .tp_methods = stack_methods,
    .tp_members = stack_members,
    .tp_getset = stack_getset,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------------ */
/* Lookup: a proxy's "current object", as a callable                               */
/* ------------------------------------------------------------------------------ */

enum { LOOKUP_CALL = 0, LOOKUP_VAR = 1, LOOKUP_LOCAL = 2, LOOKUP_STACK = 3 };

typedef struct {
    PyObject_HEAD
    int kind;
    PyObject *source;
    PyObject *names;  /* tuple of attribute names taken in turn (a dotted name) */
} LookupObject;

static PyTypeObject LookupType;

/* The current object (new reference), UNBOUND when nothing is bound, NULL on error. */
static PyObject *
lookup_resolve(LookupObject *self)
{
    PyObject *obj = NULL;
    Py_ssize_t start = 0;
    switch (self->kind) {
    case LOOKUP_VAR:
        if (PyContextVar_Get(self->source, UNBOUND, &obj) < 0) {
            return NULL;
        }
        break;
    case LOOKUP_LOCAL:
        /* getattr(local, first, UNBOUND): any AttributeError means unbound. */
        obj = PyObject_GetAttr(self->source, PyTuple_GET_ITEM(self->names, 0));
        if (obj == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                return NULL;
            }
            PyErr_Clear();
            return Py_NewRef(UNBOUND);
        }
        start = 1;
        break;
    case LOOKUP_STACK:
        obj = stack_top_or((StackObject *)self->source, UNBOUND);
        if (obj == NULL) {
            return NULL;
        }
        break;
    default:
        obj = PyObject_CallNoArgs(self->source);
        if (obj == NULL) {
            return NULL;
        }
    }
    Py_ssize_t count = PyTuple_GET_SIZE(self->names);
    for (Py_ssize_t i = start; i < count && obj != UNBOUND; i++) {
        PyObject *next = PyObject_GetAttr(obj, PyTuple_GET_ITEM(self->names, i));
        Py_DECREF(obj);
        if (next == NULL) {
            return NULL;
        }
        obj = next;
    }
    return obj;
}

static PyObject *
lookup_call(PyObject *op, PyObject *args, PyObject *kwargs)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0)) {
        PyErr_SetString(PyExc_TypeError, "a proxy lookup takes no arguments");
        return NULL;
    }
    return lookup_resolve((LookupObject *)op);
}

static PyObject *
lookup_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"kind", "source", "names", NULL};
    int kind;
    PyObject *source, *names;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iOO!:Lookup", keywords, &kind, &source,
                                     &PyTuple_Type, &names)) {
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(names);
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(names, i))) {
            PyErr_SetString(PyExc_TypeError, "names must be strings");
            return NULL;
        }
    }
    if ((kind == LOOKUP_VAR && !PyContextVar_CheckExact(source))
        || (kind == LOOKUP_LOCAL && count == 0)
        || (kind == LOOKUP_STACK && !PyObject_TypeCheck(source, &StackBaseType))
        || (kind == LOOKUP_CALL && !PyCallable_Check(source))
        || kind < LOOKUP_CALL || kind > LOOKUP_STACK) {
        PyErr_SetString(PyExc_TypeError, "Lookup: source does not match kind");
        return NULL;
    }
    LookupObject *self = PyObject_GC_New(LookupObject, type);
    if (self == NULL) {
        return NULL;
    }
    self->kind = kind;
    self->source = Py_NewRef(source);
    self->names = Py_NewRef(names);
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static int
lookup_traverse(PyObject *op, visitproc visit, void *arg)
{
    LookupObject *self = (LookupObject *)op;
    Py_VISIT(self->source);
    Py_VISIT(self->names);
    return 0;
}

static int
lookup_clear(PyObject *op)
{
    LookupObject *self = (LookupObject *)op;
    Py_CLEAR(self->source);
    Py_CLEAR(self->names);
    return 0;
}

static void
lookup_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    lookup_clear(op);
    PyObject_GC_Del(op);
}

static PyTypeObject LookupType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._speedups.Lookup",
    .tp_basicsize = sizeof(LookupObject),
    .tp_dealloc = lookup_dealloc,
    .tp_call = lookup_call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Lookup(kind, source, names): a proxy's current object, or UNBOUND.",
    .tp_traverse = lookup_traverse,
    .tp_clear = lookup_clear,
    .tp_new = lookup_new,
};

/* ------------------------------------------------------------------------------ */
/* LocalProxy                                                                      */
/* ------------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *weaklist;
    PyObject *lookup;   /* a Lookup */
    PyObject *message;  /* the unbound message */
    PyObject *wrapped;  /* the source, as given */
} ProxyObject;

static PyTypeObject ProxyBaseType;

/* The names the proxy answers itself instead of forwarding (all start with '_'). */
static PyObject *OWN_NAMES = NULL;  /* frozenset */

static PyObject *
proxy_resolve(ProxyObject *self)
{
    if (self->lookup == NULL) {
        PyErr_SetString(PyExc_TypeError, "this LocalProxy is not initialised");
        return NULL;
    }
    return lookup_resolve((LookupObject *)self->lookup);
}

static PyObject *
proxy_getattro(PyObject *op, PyObject *name)
{
    ProxyObject *self = (ProxyObject *)op;
    if (PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) > 0
        && PyUnicode_READ_CHAR(name, 0) == '_') {
        int own = PySet_Contains(OWN_NAMES, name);
        if (own != 0) {
            return own < 0 ? NULL : PyObject_GenericGetAttr(op, name);
        }
    }
    PyObject *obj = proxy_resolve(self);
    if (obj == NULL) {
        return NULL;
    }
    if (obj == UNBOUND) {
        Py_DECREF(obj);
        return PyObject_CallFunctionObjArgs(UNBOUND_ATTR, op, name, NULL);
    }
    PyObject *attr = PyObject_GetAttr(obj, name);
    Py_DECREF(obj);
    return attr;
}

/* target(proxy): the current object, or RuntimeError with the unbound message. */
static PyObject *
proxy_target(PyObject *Py_UNUSED(module), PyObject *op)
{
    if (!PyObject_TypeCheck(op, &ProxyBaseType)) {
        PyErr_SetString(PyExc_TypeError, "target() takes a compiled LocalProxy");
        return NULL;
    }
    ProxyObject *self = (ProxyObject *)op;
    PyObject *obj = proxy_resolve(self);
    if (obj == UNBOUND) {
        Py_DECREF(obj);
        PyErr_SetObject(PyExc_RuntimeError, self->message);
        return NULL;
    }
    return obj;
}

static PyObject *
proxy_bind(PyObject *op, PyObject *args)
{
    ProxyObject *self = (ProxyObject *)op;
    PyObject *lookup, *message, *wrapped;
    if (!PyArg_ParseTuple(args, "O!UO:_ctxcore_bind", &LookupType, &lookup, &message,
                          &wrapped)) {
        return NULL;
    }
    if (self->lookup != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a LocalProxy is bound once");
        return NULL;
    }
    self->message = Py_NewRef(message);
    self->wrapped = Py_NewRef(wrapped);
    self->lookup = Py_NewRef(lookup);
    Py_RETURN_NONE;
}

static int
proxy_traverse(PyObject *op, visitproc visit, void *arg)
{
    ProxyObject *self = (ProxyObject *)op;
    Py_VISIT(self->lookup);
    Py_VISIT(self->message);
    Py_VISIT(self->wrapped);
    return 0;
}

static int
proxy_clear(PyObject *op)
{
    ProxyObject *self = (ProxyObject *)op;
    Py_CLEAR(self->lookup);  /* first: it marks the object bound (see local_clear) */
    Py_CLEAR(self->message);
    Py_CLEAR(self->wrapped);
    return 0;
}

static void
proxy_dealloc(PyObject *op)
{
    ProxyObject *self = (ProxyObject *)op;
    PyObject_GC_UnTrack(op);
    if (self->weaklist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    proxy_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static PyMethodDef proxy_methods[] = {
    {"_ctxcore_bind", proxy_bind, METH_VARARGS,
     "Give a new LocalProxy its lookup, unbound message and source, once."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef proxy_members[] = {
    {"_ctxcore_lookup", T_OBJECT, offsetof(ProxyObject, lookup), READONLY, "the lookup"},
    {"_ctxcore_message", T_OBJECT, offsetof(ProxyObject, message), READONLY,
     "the unbound message"},
    {"__wrapped__", T_OBJECT, offsetof(ProxyObject, wrapped), READONLY, "the source"},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject ProxyBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._speedups.ProxyBase",
    .tp_basicsize = sizeof(ProxyObject),
    .tp_dealloc = proxy_dealloc,
    .tp_getattro = proxy_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The C attribute path of ctxcore's compiled LocalProxy.",
    .tp_traverse = proxy_traverse,
    .tp_clear = proxy_clear,
    .tp_weaklistoffset = offsetof(ProxyObject, weaklist),
    .tp_methods = proxy_methods,
    .tp_members = proxy_members,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------------------ */
/* Module                                                                          */
/* ------------------------------------------------------------------------------ */

static PyObject *
configure(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *unbound, *unbound_attr, *own;
    if (!PyArg_ParseTuple(args, "OOO!:configure", &unbound, &unbound_attr,
                          &PyFrozenSet_Type, &own)) {
        return NULL;
    }
    Py_XSETREF(UNBOUND, Py_NewRef(unbound));
    Py_XSETREF(UNBOUND_ATTR, Py_NewRef(unbound_attr));
    Py_XSETREF(OWN_NAMES, Py_NewRef(own));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(unbound, unbound_attr, own_names): set the proxy's shared objects."},
    {"target", proxy_target, METH_O,
     "target(proxy): the proxy's current object, or RuntimeError when unbound."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ctxcore.local._speedups",
    .m_doc = "C hot paths of ctxcore's Local, LocalStack and LocalProxy (see _compiled.py).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (DICT_GETITEM == NULL) {
        DICT_GETITEM = PyObject_GetAttrString((PyObject *)&PyDict_Type, "__getitem__");
        if (DICT_GETITEM == NULL) {
            return NULL;
        }
        if (Py_TYPE(DICT_GETITEM)->tp_descr_get == NULL) {
            PyErr_SetString(PyExc_ImportError, "dict.__getitem__ is not a descriptor");
            return NULL;
        }
    }
    PyTypeObject *types[] = {&LocalBaseType, &StackBaseType, &LookupType, &ProxyBaseType};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (PyType_Ready(types[i]) < 0) {
            return NULL;
        }
    }
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) {
        return NULL;
    }
    const char *names[] = {"LocalBase", "StackBase", "Lookup", "ProxyBase"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        Py_INCREF(types[i]);
        if (PyModule_AddObject(module, names[i], (PyObject *)types[i]) < 0) {
            Py_DECREF(types[i]);
            Py_DECREF(module);
            return NULL;
        }
    }
    if (PyModule_AddIntConstant(module, "SOURCE_CONTEXT", SOURCE_CONTEXT) < 0
        || PyModule_AddIntConstant(module, "SOURCE_GREENLET", SOURCE_GREENLET) < 0
        || PyModule_AddIntConstant(module, "SOURCE_THREAD", SOURCE_THREAD) < 0
        || PyModule_AddIntConstant(module, "SOURCE_READER", SOURCE_READER) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_CALL", LOOKUP_CALL) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_VAR", LOOKUP_VAR) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_LOCAL", LOOKUP_LOCAL) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_STACK", LOOKUP_STACK) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
