# Mock `rp2` (Raspberry Pi Pico): PIO programs are accepted but not executed; a state
# machine's TX FIFO feeds its RX FIFO, so put() then get() round-trips a value.


class PIO:
    IN_LOW = 0
    IN_HIGH = 1
    OUT_LOW = 2
    OUT_HIGH = 3
    SHIFT_LEFT = 0
    SHIFT_RIGHT = 1
    JOIN_NONE = 0
    JOIN_TX = 1
    JOIN_RX = 2
    IRQ_SM0 = 0x100
    IRQ_SM1 = 0x200
    IRQ_SM2 = 0x400
    IRQ_SM3 = 0x800

    def __init__(self, id):
        self._id = id

    def state_machine(self, id, program=None, **kwargs):
        return StateMachine(self._id * 4 + id, program, **kwargs)


def asm_pio(**settings):
    # The real decorator assembles the function body; the mock keeps it unassembled.
    def decorator(program):
        return program

    return decorator


class StateMachine:
    def __init__(self, id, program=None, freq=-1, **kwargs):
        self._id = id
        self._active = 0
        self._fifo = []
        self._program = program

    def init(self, program, freq=-1, **kwargs):
        self._program = program

    def active(self, value=None):
        if value is None:
            return self._active
        self._active = 1 if value else 0

    def restart(self):
        self._fifo = []

    def exec(self, instruction):
        pass

    def put(self, value, shift=0):
        values = value if isinstance(value, (list, tuple, bytes, bytearray)) else [value]
        for v in values:
            if len(self._fifo) < 8:
                self._fifo.append((v >> shift) & 0xFFFFFFFF)

    def get(self, buf=None, shift=0):
        return (self._fifo.pop(0) >> shift) if self._fifo else 0

    def rx_fifo(self):
        return len(self._fifo)

    def tx_fifo(self):
        return 0

    def irq(self, handler=None, trigger=0, hard=False):
        pass


def bootsel_button():
    return 0  # the BOOTSEL button is not pressed


def country(code=None):
    return None
