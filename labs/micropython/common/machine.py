# Mock `machine`: the hardware API of MicroPython boards, without hardware. Outputs are
# remembered, inputs read their pull resistor, analog inputs follow a deterministic wave
# (_sim.signal), timers fire on the virtual clock. Board details come from _board.py.
# ruff: noqa: UP031 (%-formatting: the same on every MicroPython build)
import _board
import _sim


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    ALT = 3
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8

    def __init__(self, id, mode=-1, pull=-1, value=None):
        if isinstance(id, str) and not _board.ANY_PIN_NAME and id not in _board.PINS:
            raise ValueError("unknown named pin '%s' on %s" % (id, _board.NAME))
        self._name = id
        self._mode = Pin.IN
        self._pull = None
        self._value = 0
        self._handler = None
        self.init(mode, pull, value)

    def init(self, mode=-1, pull=-1, value=None):
        if mode != -1:
            self._mode = mode
        if pull != -1:
            self._pull = pull
        if value is not None:
            self._value = 1 if value else 0

    def value(self, v=None):
        if v is not None:
            self._value = 1 if v else 0
            return None
        if self._mode == Pin.IN:
            return 1 if self._pull == Pin.PULL_UP else 0
        return self._value

    def __call__(self, v=None):
        return self.value(v)

    def on(self):
        self._value = 1

    def off(self):
        self._value = 0

    def high(self):
        self._value = 1

    def low(self):
        self._value = 0

    def toggle(self):
        self._value = 1 - self._value

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING):
        # Nothing drives the simulated inputs, so the handler is kept but never called.
        self._handler = handler

    def __repr__(self):
        mode = {Pin.IN: "IN", Pin.OUT: "OUT", Pin.OPEN_DRAIN: "OPEN_DRAIN"}.get(self._mode, "ALT")
        return "Pin(%s, mode=%s)" % (self._name, mode)


def _channel(pin):
    name = pin._name if isinstance(pin, Pin) else pin
    return name if isinstance(name, int) else 0


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3
    WIDTH_12BIT = 12
    CORE_TEMP = 4

    def __init__(self, pin, atten=None):
        self._channel = _channel(pin)

    def read_u16(self):
        base, amplitude = _board.ADC.get(self._channel, (32768, 16384))
        return _sim.signal(self._channel, base, amplitude)

    def read_uv(self):
        return self.read_u16() * 3300000 // 65535

    def read(self):
        return self.read_u16() >> 4  # the 12-bit reading of the ESP32 API

    def atten(self, value):
        pass

    def width(self, value):
        pass


class PWM:
    def __init__(self, pin, freq=None, duty_u16=None, duty_ns=None):
        self._pin = pin
        self._freq = 1000
        self._duty = 0
        if freq is not None:
            self._freq = freq
        if duty_u16 is not None:
            self._duty = duty_u16
        if duty_ns is not None:
            self.duty_ns(duty_ns)

    def freq(self, value=None):
        if value is None:
            return self._freq
        self._freq = value

    def duty_u16(self, value=None):
        if value is None:
            return self._duty
        self._duty = max(0, min(65535, int(value)))

    def duty_ns(self, value=None):
        period_ns = 1000000000 // self._freq
        if value is None:
            return self._duty * period_ns // 65535
        self._duty = max(0, min(65535, int(value) * 65535 // period_ns))

    def duty(self, value=None):
        """The ESP32 API: duty in 0..1023."""
        if value is None:
            return self._duty >> 6
        self._duty = max(0, min(1023, int(value))) * 65535 // 1023

    def deinit(self):
        self._duty = 0

    def __repr__(self):
        return "PWM(%r, freq=%d, duty_u16=%d)" % (self._pin, self._freq, self._duty)


class I2C:
    def __init__(self, id=0, scl=None, sda=None, freq=400000):
        self._freq = freq

    def scan(self):
        return list(_board.I2C_DEVICES)

    def _check(self, addr):
        if addr not in _board.I2C_DEVICES:
            raise OSError(5)  # EIO: no device acknowledged, as on the hardware

    def readfrom(self, addr, nbytes, stop=True):
        self._check(addr)
        return bytes(nbytes)

    def readfrom_into(self, addr, buf, stop=True):
        self._check(addr)
        for i in range(len(buf)):
            buf[i] = 0

    def writeto(self, addr, buf, stop=True):
        self._check(addr)
        return len(buf)

    def readfrom_mem(self, addr, memaddr, nbytes, addrsize=8):
        self._check(addr)
        return bytes([(memaddr + i) & 0xFF for i in range(nbytes)])

    def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
        data = self.readfrom_mem(addr, memaddr, len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        self._check(addr)


SoftI2C = I2C


class UART:
    """A serial port with nothing connected: writes are accepted, reads find no data."""

    def __init__(self, id, baudrate=9600, bits=8, parity=None, stop=1, tx=None, rx=None,
                 timeout=0):  # fmt: skip
        self._baudrate = baudrate

    def init(self, baudrate=9600, bits=8, parity=None, stop=1, **kwargs):
        self._baudrate = baudrate

    def write(self, buf):
        return len(buf)

    def any(self):
        return 0

    def read(self, nbytes=None):
        return None

    def readline(self):
        return None

    def readinto(self, buf, nbytes=None):
        return None

    def deinit(self):
        pass


class Timer:
    ONE_SHOT = 0
    PERIODIC = 1

    def __init__(self, id=-1, mode=PERIODIC, period=-1, freq=None, callback=None, tick_hz=1000):
        self._callback = None
        self._due = 0
        if callback is not None or period != -1 or freq is not None:
            self.init(mode=mode, period=period, freq=freq, callback=callback, tick_hz=tick_hz)

    def init(self, mode=PERIODIC, period=-1, freq=None, callback=None, tick_hz=1000):
        period_us = 1000000 // freq if freq is not None else period * 1000000 // tick_hz
        if period_us <= 0:
            raise ValueError("Timer needs a positive period= or freq=")
        self._mode = mode
        self._period_us = period_us
        self._callback = callback
        self._due = _sim.now_us + period_us
        _sim.add_timer(self)

    def _fire(self):
        if self._mode == Timer.ONE_SHOT:
            _sim.remove_timer(self)
        else:
            self._due += self._period_us
        if self._callback is not None:
            self._callback(self)

    def deinit(self):
        _sim.remove_timer(self)


if _board.OPENMV:

    class LED:
        """OpenMV's board LEDs by name: machine.LED("LED_BLUE")."""

        def __init__(self, name):
            if name not in _board.LEDS:
                raise ValueError(
                    "unknown LED '%s' (this board has %s)" % (name, ", ".join(_board.LEDS))
                )
            self._name = name
            self._value = 0

        def on(self):
            self._value = 1

        def off(self):
            self._value = 0

        def toggle(self):
            self._value = 1 - self._value

        def value(self, v=None):
            if v is None:
                return self._value
            self._value = 1 if v else 0


def freq(hz=None):
    return _board.FREQ if hz is None else None


def unique_id():
    return _board.UNIQUE_ID


def idle():
    """Wait for the next timer (or 1 ms without timers): one "time" frame."""
    wait = _sim.next_timer_us()
    _sim.sleep_us(1000 if wait is None else wait)


def lightsleep(time_ms=None):
    if time_ms is None:
        idle()
    else:
        _sim.sleep_us(time_ms * 1000)


def _restart(what):
    print("[sim] machine.%s(): the board would restart here; the simulation ends" % what)
    raise SystemExit


def deepsleep(time_ms=None):
    _restart("deepsleep")


def reset():
    _restart("reset")


def soft_reset():
    _restart("soft_reset")


def disable_irq():
    return 0


def enable_irq(state=0):
    pass
