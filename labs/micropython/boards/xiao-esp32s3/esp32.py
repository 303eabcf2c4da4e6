# Mock `esp32` (ESP32-S3): chip temperature, non-volatile storage in memory, heap info.
import _sim

HEAP_DATA = 4
HEAP_EXEC = 1
WAKEUP_ALL_LOW = False
WAKEUP_ANY_HIGH = True


def mcu_temperature():
    """Chip temperature in degrees C: 40 +- 2, slowly varying on the virtual clock."""
    return 40 + (_sim.signal(0, 32768, 32768) * 5 // 65536) - 2


def idf_heap_info(capabilities):
    # (total, free, largest free block, minimum ever free) per heap region, in bytes
    return [(327680, 262144, 131072, 245760), (8388608, 8000000, 7995392, 7990000)]


def wake_on_ext0(pin, level):
    pass


def wake_on_ext1(pins, level):
    pass


def wake_on_touch(wake):
    pass


class NVS:
    """Non-volatile storage, kept in memory for the run."""

    def __init__(self, namespace):
        self._data = {}

    def set_i32(self, key, value):
        self._data[key] = int(value)

    def get_i32(self, key):
        if key not in self._data:
            raise OSError(-4354)  # ESP_ERR_NVS_NOT_FOUND, as the hardware reports
        return self._data[key]

    def set_blob(self, key, value):
        self._data[key] = bytes(value)

    def get_blob(self, key, buffer):
        if key not in self._data:
            raise OSError(-4354)
        data = self._data[key]
        for i in range(min(len(buffer), len(data))):
            buffer[i] = data[i]
        return len(data)

    def erase_key(self, key):
        if key not in self._data:
            raise OSError(-4354)
        del self._data[key]

    def commit(self):
        pass
