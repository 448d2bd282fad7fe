/* The C LocalStack: push, pop and top (see _c.h). */

#include "_c.h"

typedef struct {
    PyObject_HEAD
    PyObject *weaklist;
    PyObject *var;     /* the ContextVar under "context", else NULL */
    PyObject *get;     /* slot.get: get(default) */
    PyObject *set;     /* slot.set: set(frame) */
    PyObject *slot;
    PyObject *marker;
    PyObject *getcurrent;  /* greenlet slots: greenlet.getcurrent, else NULL */
    PyObject *key;         /* greenlet slots: the attribute holding the frame */
} StackObject;

PyTypeObject ctxcore_StackBaseType;

/* The current frame (new reference; Py_None when empty), or NULL on error. For
 * greenlet slots, `*current` (when given) receives the current greenlet (new
 * reference), so a write that follows needs no second getcurrent(). */
static PyObject *
stack_frame_at(StackObject *self, PyObject **current_out)
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
    else if (self->getcurrent != NULL) {
        /* The slot's own get, without its Python frame: getattr(getcurrent(), key). */
        PyObject *current = PyObject_CallNoArgs(self->getcurrent);
        if (current == NULL) {
            return NULL;
        }
        int found = optional_attr(current, self->key, &frame);
        if (found < 0) {
            Py_DECREF(current);
            return NULL;
        }
        if (current_out != NULL) {
            *current_out = current;
        }
        else {
            Py_DECREF(current);
        }
        if (found == 0) {
            frame = Py_NewRef(Py_None);
        }
    }
    else {
        frame = PyObject_CallOneArg(self->get, Py_None);
        if (frame == NULL) {
            return NULL;
        }
    }
    if (frame != Py_None && !is_frame(frame)) {
        PyErr_Format(PyExc_TypeError, "a LocalStack's slot holds a %.100s, not a frame",
                     Py_TYPE(frame)->tp_name);
        Py_DECREF(frame);
        return NULL;
    }
    return frame;
}

static PyObject *
stack_frame(StackObject *self)
{
    return stack_frame_at(self, NULL);
}

/* Make `frame` the current ident's. `current` and `held` come from the read just made
 * (greenlet slots: the current greenlet, and whether it already holds a frame). */
static int
stack_publish(StackObject *self, PyObject *frame, PyObject *current, int held)
{
    if (self->var != NULL) {
        PyObject *token = PyContextVar_Set(self->var, frame);
        Py_XDECREF(token);
        return token == NULL ? -1 : 0;
    }
    if (current != NULL && held && frame != Py_None) {
        /* A greenlet that already holds a frame takes the new one in place; the slot's
         * Python set handles the rest (a first frame is recorded, an empty stack
         * deletes the attribute). */
        return PyObject_SetAttr(current, self->key, frame);
    }
    return call_dropped(self->set, frame);
}

static PyObject *
stack_push(PyObject *op, PyObject *item)
{
    StackObject *self = (StackObject *)op;
    PyObject *current = NULL;
    PyObject *below = stack_frame_at(self, &current);
    if (below == NULL) {
        Py_XDECREF(current);
        return NULL;
    }
    PyObject *frame = PyTuple_New(3);
    if (frame == NULL) {
        Py_DECREF(below);
        Py_XDECREF(current);
        return NULL;
    }
    int held = below != Py_None;
    PyTuple_SET_ITEM(frame, 0, Py_NewRef(item));
    PyTuple_SET_ITEM(frame, 1, below);
    PyTuple_SET_ITEM(frame, 2, Py_NewRef(self->marker));
    int rc = stack_publish(self, frame, current, held);
    Py_DECREF(frame);
    Py_XDECREF(current);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
stack_pop(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    StackObject *self = (StackObject *)op;
    PyObject *current = NULL;
    PyObject *frame = stack_frame_at(self, &current);
    if (frame == NULL || frame == Py_None) {
        Py_XDECREF(current);
        return frame;
    }
    int rc = stack_publish(self, PyTuple_GET_ITEM(frame, 1), current, 1);
    Py_XDECREF(current);
    if (rc < 0) {
        Py_DECREF(frame);
        return NULL;
    }
    PyObject *top = Py_NewRef(PyTuple_GET_ITEM(frame, 0));
    Py_DECREF(frame);
    return top;
}

PyObject *
ctxcore_stack_top_or(PyObject *op, PyObject *empty)
{
    StackObject *self = (StackObject *)op;
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

/* len(stack): the depth of the current ident's stack (the engine asks on every push). */
static Py_ssize_t
stack_length(PyObject *op)
{
    PyObject *frame = stack_frame((StackObject *)op);
    if (frame == NULL) {
        return -1;
    }
    Py_ssize_t depth = 0;
    /* Frames are (item, below, marker); only the top one was type-checked, so check
     * each one walked (a foreign value in a slot must not be read as a frame). */
    for (PyObject *cur = frame; cur != Py_None; cur = PyTuple_GET_ITEM(cur, 1)) {
        if (!is_frame(cur)) {
            Py_DECREF(frame);
            PyErr_SetString(PyExc_TypeError, "a LocalStack frame is not a frame");
            return -1;
        }
        depth++;
    }
    Py_DECREF(frame);
    return depth;
}

static PySequenceMethods stack_as_sequence = {
    .sq_length = stack_length,
};

static PyObject *
stack_get_top(PyObject *op, void *Py_UNUSED(closure))
{
    return ctxcore_stack_top_or(op, Py_None);
}

/* LocalStack(context_var=None, *, ident=None): the slot from _stack.stack_slot. */
static int
stack_init(PyObject *op, PyObject *args, PyObject *kwargs)
{
    StackObject *self = (StackObject *)op;
    if (self->get != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a LocalStack is initialised once");
        return -1;
    }
    PyObject *slot = PyObject_Call(ctxcore_STACK_SLOT, args, kwargs);
    PyObject *reach = slot == NULL ? NULL : PyObject_CallMethod(slot, "reach", NULL);
    PyObject *kind, *first, *second;
    if (reach == NULL || !PyArg_ParseTuple(reach, "UOO:reach", &kind, &first, &second)) {
        Py_XDECREF(slot);
        Py_XDECREF(reach);
        return -1;
    }
    if (PyUnicode_CompareWithASCIIString(kind, "context") == 0) {
        self->var = Py_NewRef(first);
    }
    else if (PyUnicode_CompareWithASCIIString(kind, "greenlet") == 0) {
        /* Reads and in-place writes reach the greenlet's attribute straight from C. */
        self->getcurrent = Py_NewRef(first);
        self->key = Py_NewRef(second);
    }
    Py_DECREF(reach);
    self->slot = slot;
    self->marker = PyObject_CallNoArgs(ctxcore_MARKER);
    self->set = PyObject_GetAttrString(slot, "set");
    self->get = self->marker == NULL || self->set == NULL ? NULL
        : PyObject_GetAttrString(slot, "get");
    return self->get == NULL ? -1 : 0;
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
    Py_VISIT(self->getcurrent);
    Py_VISIT(self->key);
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
    Py_CLEAR(self->getcurrent);
    Py_CLEAR(self->key);
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

PyTypeObject ctxcore_StackBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._c.StackBase",
    .tp_basicsize = sizeof(StackObject),
    .tp_dealloc = stack_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The C push, pop and top of ctxcore's LocalStack.",
    .tp_traverse = stack_traverse,
    .tp_clear = stack_clear,
    .tp_weaklistoffset = offsetof(StackObject, weaklist),
    .tp_as_sequence = &stack_as_sequence,
    .tp_methods = stack_methods,
    .tp_members = stack_members,
    .tp_getset = stack_getset,
    .tp_init = stack_init,
    .tp_new = PyType_GenericNew,
};
