// A small swallow, drawn tiny and crammed into the bottom-left corner with its wing cut off by the edge.
function ell(cx, cy, rx, ry, rot) {
  const pts = [];
  for (let a = 0; a < 360; a += 12) {
    const x = rx * cos(a), y = ry * sin(a);
    pts.push([cx + x * cos(rot) - y * sin(rot), cy + x * sin(rot) + y * cos(rot)]);
  }
  return pts;
}
function band(pts, w0, w1) {
  const L = [], R = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[max(0, i - 1)], b = pts[min(pts.length - 1, i + 1)];
    let tx = b[0] - a[0], ty = b[1] - a[1];
    const m = sqrt(tx * tx + ty * ty);
    tx /= m; ty /= m;
    const w = lerp(w0, w1, i / (pts.length - 1)) / 2;
    L.push([pts[i][0] - ty * w, pts[i][1] + tx * w]);
    R.push([pts[i][0] + ty * w, pts[i][1] - tx * w]);
  }
  return L.concat(R.reverse());
}
function paint(pts, col, op, under) {
  brush.wash(col, under);
  brush.fill(col, op);
  brush.polygon(pts);
  brush.noWash();
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f3ec');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.15);
  brush.fillTexture(0.4, 0.3);
  // swallow in the corner
  paint(ell(-225, 215, 30, 12, -20), '#25406b', 210, 150);
  paint([[-230, 215], [-290, 180], [-262, 230]], '#25406b', 210, 150);
  paint([[-215, 210], [-270, 150], [-200, 200]], '#1b3052', 210, 150);
  paint(ell(-196, 200, 11, 10, 0), '#25406b', 215, 150);
  paint(ell(-196, 206, 7, 5, 0), '#c4573a', 215, 160);
  paint(ell(-222, 224, 18, 6, -20), '#efe7da', 210, 140);
  // tail streamers
  brush.noFill();
  brush.set('HB', '#1b3052', 1.4);
  brush.line(-250, 228, -280, 256);
  brush.line(-248, 232, -265, 260);
}
