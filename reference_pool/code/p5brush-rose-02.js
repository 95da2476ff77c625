// Three soft pink garden roses on short stems in a loose bunch, pale paper, pencil outlines.
function rose(x, y, s, base, dark) {
  push();
  translate(x, y);
  brush.noStroke();
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.45);
  brush.fill(base, 190);
  brush.circle(0, 0, 70 * s, 0.5);
  brush.fillBleed(0.15);
  brush.fill(dark, 170);
  brush.circle(6 * s, -4 * s, 38 * s, 0.6);
  brush.noFill();
  brush.set('HB', '#a04060', 0.7);
  let r = 60 * s;
  let a = 0;
  for (let k = 0; k < 5; k++) {
    brush.arc(0, 0, r, a, a + 150);
    a += 110;
    r *= 0.72;
  }
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8f3ec');
  brush.noFill();
  brush.set('HB', '#4f6b3a', 1.4);
  brush.spline([[-70, -20], [-40, 120], [0, 230]], 0.5);
  brush.spline([[80, -50], [40, 110], [0, 230]], 0.5);
  brush.spline([[10, 60], [10, 150], [0, 230]], 0.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#6f8f4e', 180);
  brush.polygon([[-40, 120], [-130, 110], [-170, 150], [-80, 150]]);
  brush.fill('#5e7f45', 180);
  brush.polygon([[30, 140], [120, 120], [160, 170], [70, 170]]);

  rose(-70, -40, 1.2, '#f4a6b8', '#e77a98');
  rose(85, -65, 1.0, '#f7b8c6', '#eb8aa6');
  rose(10, 50, 0.9, '#f29bb0', '#dd6a8c');
}
