/* The compiled Local's read and write paths (see _speedups.h). */

#include "_speedups.h"

/* ------------------------------------------------------------------------------ */
/* Local                                                                           */
/* ------------------------------------------------------------------------------ */

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

PyTypeObject ctxcore_LocalBaseType;

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
    PyObject *fresh = Py_TYPE(ctxcore_DICT_GETITEM)->tp_descr_get(
        ctxcore_DICT_GETITEM, storage, (PyObject *)Py_TYPE(storage));
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

PyTypeObject ctxcore_LocalBaseType = {
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
